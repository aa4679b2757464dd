"""Row ids and client sequence numbers taken from a request: bounded to what the database stores. Pure.

A path or body id beyond 64 bits (or a sequence beyond 32) overflows the database integer and answered 500 (found by
the reliability suite's schemathesis fuzzing). As a schema field type the bound is checked by pydantic, so
django-ninja answers 422 with the Chinese message below.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

MAX_ID = 2**63 - 1  # bigint (BigAutoField, DEFAULT_AUTO_FIELD)
MAX_SEQ = 2**31 - 1  # integer (courses' heartbeat seq)


def _id_in_range(value: int) -> int:
    if not 1 <= value <= MAX_ID:
        raise ValueError(f"编号 {value} 超出范围：应是 1 到 {MAX_ID} 之间的整数，请检查请求中的编号")
    return value


def _seq_in_range(value: int) -> int:
    if not 0 <= value <= MAX_SEQ:
        raise ValueError(f"序号 {value} 超出范围：应是 0 到 {MAX_SEQ} 之间的整数，请刷新页面后重试")
    return value


RowId = Annotated[int, AfterValidator(_id_in_range), WithJsonSchema({"type": "integer", "minimum": 1})]
Seq = Annotated[int, AfterValidator(_seq_in_range), WithJsonSchema({"type": "integer", "minimum": 0})]
