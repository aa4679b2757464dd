"""No ID-card or mobile number in any log line (等保 level 3, PIPL): masking at the source of every log record.

`install()` (run by the security app at start-up, so in every process: app server workers, the task worker, management
commands, tests) wraps logging's record factory: each record's message, and the text of an exception it carries,
is masked before any handler, filter or formatter sees it — whatever logger wrote it, so a careless call site
cannot leak one. A checksum-valid 18-character ID-card number becomes 110101********123X, a mobile number
139****0001. Pure: no Django.
"""

from __future__ import annotations

import logging
import re

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# Not preceded or followed by another digit (a longer number is something else: an amount, a timestamp in ms).
PATTERN = re.compile(r"(?<![0-9])(?:(?P<id>[1-9][0-9]{16}[0-9Xx])(?![0-9Xx])|(?P<phone>1[3-9][0-9]{9})(?![0-9]))")


def id_card_valid(number: str) -> bool:
    """True for 18 characters whose last is the ISO 7064 MOD 11-2 check of the first 17 (GB 11643-1999)."""
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == number[17].upper()


def _replace(match: re.Match) -> str:
    if match["phone"]:
        return match["phone"][:3] + "****" + match["phone"][7:]
    number = match["id"]
    return number[:6] + "********" + number[14:] if id_card_valid(number) else number


def mask_text(text: str) -> str:
    """The text with every ID-card number (checksum-valid) and mainland mobile number masked."""
    return PATTERN.sub(_replace, text) if text else text


def find_personal_numbers(text: str) -> list[str]:
    """The unmasked ID-card and mobile numbers in a text (for the suite's log scan)."""
    found = []
    for match in PATTERN.finditer(text):
        if match["phone"] or id_card_valid(match["id"]):
            found.append(match[0])
    return found


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask the record's message (formatted with its arguments) and its exception text, in place."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: logging reports it itself when a handler formats the record
        return record
    masked = mask_text(message)
    if masked != message:
        record.msg, record.args = masked, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
    return record


def install() -> None:
    """Make every log record of this process masked at creation (idempotent)."""
    base = logging.getLogRecordFactory()
    if getattr(base, "masks_personal_numbers", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        return mask_record(base(*args, **kwargs))

    factory.masks_personal_numbers = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
