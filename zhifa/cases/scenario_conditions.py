"""Conditions on a scenario's state variables: a tiny expression language, parsed once, evaluated per step.

Grammar (no ORM, no eval): `expr := or; or := and ("or" and)*; and := not ("and" not)*; not := "not" not | cmp;
cmp := atom (op atom)?; atom := NUMBER | "text" | true | false | NAME | "(" expr ")"`, op one of == != >= <= > <.
Example: `evidence >= 2 and not recorder_on`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<num>-?\d+)|(?P<str>\"[^\"]*\"|'[^']*')|(?P<op>==|!=|>=|<=|>|<|\(|\))"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*))"
)
_KEYWORDS = {"and", "or", "not", "true", "false"}
_OPS = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}


class ConditionError(ValueError):
    """A condition that cannot be parsed; the message is Chinese and says what to fix."""


@dataclass(frozen=True)
class Expr:
    """A node: kind is one of const, var, not, and, or, cmp."""

    kind: str
    value: Any = None
    args: tuple[Expr, ...] = ()


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos, text = [], 0, text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ConditionError(
                f"条件“{text}”第 {pos + 1} 个字符无法识别：只能使用变量名、数字、true/false、比较运算和 and/or/not"
            )
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ConditionError(f"条件“{self.text}”不完整：结尾缺少变量或数值")
        self.pos += 1
        return token

    def parse(self) -> Expr:
        expr = self.parse_or()
        extra = self.peek()
        if extra is not None:
            raise ConditionError(f"条件“{self.text}”在“{extra[1]}”处多出内容：请用 and / or 连接各部分")
        return expr

    def parse_or(self) -> Expr:
        expr = self.parse_and()
        while self.peek() == ("name", "or"):
            self.take()
            expr = Expr("or", args=(expr, self.parse_and()))
        return expr

    def parse_and(self) -> Expr:
        expr = self.parse_not()
        while self.peek() == ("name", "and"):
            self.take()
            expr = Expr("and", args=(expr, self.parse_not()))
        return expr

    def parse_not(self) -> Expr:
        if self.peek() == ("name", "not"):
            self.take()
            return Expr("not", args=(self.parse_not(),))
        left = self.parse_atom()
        token = self.peek()
        if token is not None and token[0] == "op" and token[1] in _OPS:
            self.take()
            return Expr("cmp", value=token[1], args=(left, self.parse_atom()))
        return left

    def parse_atom(self) -> Expr:
        kind, text = self.take()
        if kind == "num":
            return Expr("const", int(text))
        if kind == "str":
            return Expr("const", text[1:-1])
        if kind == "op" and text == "(":
            expr = self.parse_or()
            if self.take() != ("op", ")"):
                raise ConditionError(f"条件“{self.text}”缺少右括号")
            return expr
        if kind == "name" and text in ("true", "false"):
            return Expr("const", text == "true")
        if kind == "name" and text not in _KEYWORDS:
            return Expr("var", text)
        raise ConditionError(f"条件“{self.text}”在“{text}”处需要变量名或数值")


def condition_parse(text: str) -> Expr:
    """Parse a condition; raises ConditionError with a Chinese message naming the problem."""
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("条件为空：写成如 evidence >= 2 的表达式，或删除 if")
    return _Parser(text).parse()


def condition_variables(expr: Expr) -> set[str]:
    """Names of the variables an expression reads."""
    if expr.kind == "var":
        return {expr.value}
    names: set[str] = set()
    for arg in expr.args:
        names |= condition_variables(arg)
    return names


def condition_evaluate(expr: Expr, variables: dict[str, Any]) -> bool:
    """The truth of the expression for these variable values (comparisons of mismatched types are false)."""
    return bool(_value(expr, variables))


def _value(expr: Expr, variables: dict[str, Any]) -> Any:
    if expr.kind == "const":
        return expr.value
    if expr.kind == "var":
        return variables.get(expr.value)
    if expr.kind == "not":
        return not _value(expr.args[0], variables)
    if expr.kind == "and":
        return _value(expr.args[0], variables) and _value(expr.args[1], variables)
    if expr.kind == "or":
        return _value(expr.args[0], variables) or _value(expr.args[1], variables)
    left, right = (_value(arg, variables) for arg in expr.args)
    try:
        return _OPS[expr.value](left, right)
    except TypeError:
        return False
