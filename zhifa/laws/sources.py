"""Reading law files into text lines, without the ORM: encodings (.txt), Markdown clean-up (.md), Word (.docx).

Raises `ParseError` (from zhifa.laws.parser) with a Chinese reason when a file cannot be read.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from zhifa.laws.parser import ParseError

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx")
MAX_FILE_BYTES = 20 * 1024 * 1024
_FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.M)


def decode_bytes(data: bytes) -> str:
    """Text of a file in UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030; ParseError otherwise."""
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8")
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
    except UnicodeDecodeError as exc:
        raise ParseError(
            1, f"文件声明了 Unicode 编码但内容无法解码（第{exc.start}字节附近）；请另存为 UTF-8 后重新导入"
        ) from exc
    if b"\x00" in data[:4096]:
        raise ParseError(1, "文件不是文本文件（含有二进制内容），请上传 .txt、.md 或 .docx 格式的法规文本")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a superset of GBK and GB2312, the usual encodings of Chinese Windows texts
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ParseError(1, "无法识别文件编码，请另存为 UTF-8 编码的文本后重新导入")
    return str(best)


def markdown_to_text(text: str) -> str:
    """Drop YAML front matter, HTML comments and `#` heading markers, as upstream Markdown law texts carry them."""
    text = _FRONT_MATTER.sub("", text, count=1)
    text = _HTML_COMMENT.sub("", text)
    return _MD_HEADING.sub("", text)


def docx_to_text(data: bytes) -> str:
    """The paragraphs of a Word document, one per line; ParseError when it is no valid .docx."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    # zlib, EOF: a damaged file; NotImplementedError: a zip version or method zipfile cannot read (#19)
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, NotImplementedError) as exc:
        raise ParseError(1, f"不是有效的 Word (.docx) 文件：{exc}；旧版 .doc 请先用 Word 另存为 .docx") from exc
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def file_text(name: str, data: bytes) -> str:
    """The text of a law file by its suffix (.txt, .md, .docx); ParseError for other suffixes or bad content."""
    lower = name.lower()
    if len(data) > MAX_FILE_BYTES:
        raise ParseError(1, f"文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB，请拆分后导入")
    if lower.endswith(".docx"):
        return docx_to_text(data)
    if lower.endswith(".md"):
        return markdown_to_text(decode_bytes(data))
    if lower.endswith(".txt"):
        return decode_bytes(data)
    raise ParseError(1, f"不支持的文件类型“{name}”，只能导入 .txt、.md 或 .docx 文件")


_NAME_DATE = re.compile(r"[（(](\d{4})-(\d{2})-(\d{2})[)）]")


def date_in_name(name: str) -> str | None:
    """ "2017-09-01" from a file name like 行政复议法(2017-09-01).txt, as the corpus names versions; None else."""
    match = _NAME_DATE.search(name)
    return "-".join(match.groups()) if match else None
