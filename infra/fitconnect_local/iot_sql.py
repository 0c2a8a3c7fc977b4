"""The part of AWS IoT's rule SQL (2016-03-23) that topic rules here use, evaluated on a payload.

    SELECT *, topic(3) AS equipment_id, temperature_c * 1.8 + 32 AS temperature_f
    FROM 'fitconnect/equipment/+/telemetry'
    WHERE in_use = true AND (battery_pct < 20 OR NOT vibration_rms IS NULL)

Supported: `*`, field paths (`a.b`), literals, arithmetic, comparisons, AND/OR/NOT, IS [NOT] NULL,
and the functions topic(), topic(n), clientid(), timestamp(), lower(), upper(), abs().
As on AWS, a missing field is *undefined*: it is left out of the result, and a WHERE that depends
on it is false. Anything else is a syntax error at start, not a rule that silently never fires.
"""

from __future__ import annotations

import operator
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<string>'(?:[^']|'')*')|(?P<op><>|!=|<=|>=|[=<>*/%+\-(),.])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"
)
_KEYWORDS = {"SELECT", "FROM", "WHERE", "AS", "AND", "OR", "NOT", "IS", "NULL", "TRUE", "FALSE"}


class SqlError(ValueError):
    pass


class _Undefined:
    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = _Undefined()


@dataclass(frozen=True)
class MessageContext:
    payload: dict[str, Any]
    topic: str
    client_id: str = ""


Expr = Callable[[MessageContext], Any]


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise SqlError(f"cannot read the SQL at: {text[position : position + 20]!r}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "word" and value.upper() in _KEYWORDS:
            kind, value = "keyword", value.upper()
        tokens.append((kind, value))
        position = match.end()
    return tokens


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Any]:
    def apply(left: Any, right: Any) -> Any:
        if left is UNDEFINED or right is UNDEFINED:
            return UNDEFINED
        try:
            return op(left, right)
        except TypeError:
            return UNDEFINED

    return apply


def _arith(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def apply(left: Any, right: Any) -> Any:
        if isinstance(left, bool) or isinstance(right, bool):
            return UNDEFINED
        if not isinstance(left, int | float) or not isinstance(right, int | float):
            return UNDEFINED
        try:
            return op(left, right)
        except ZeroDivisionError:
            return UNDEFINED

    return apply


_COMPARISONS = {
    "=": _compare(operator.eq),
    "<>": _compare(operator.ne),
    "!=": _compare(operator.ne),
    "<": _compare(operator.lt),
    "<=": _compare(operator.le),
    ">": _compare(operator.gt),
    ">=": _compare(operator.ge),
}
_ARITHMETIC = {
    "+": _arith(operator.add),
    "-": _arith(operator.sub),
    "*": _arith(operator.mul),
    "/": _arith(operator.truediv),
    "%": _arith(operator.mod),
}


def _topic(context: MessageContext, index: Any = None) -> Any:
    if index is None:
        return context.topic
    levels = context.topic.split("/")
    return levels[int(index) - 1] if 1 <= int(index) <= len(levels) else UNDEFINED


def _text_function(function: Callable[[str], str]) -> Callable[..., Any]:
    return lambda _context, value: function(value) if isinstance(value, str) else UNDEFINED


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "topic": _topic,
    "clientid": lambda context: context.client_id,
    "timestamp": lambda _context: int(time.time() * 1000),
    "lower": _text_function(str.lower),
    "upper": _text_function(str.upper),
    "abs": lambda _context, value: abs(value) if isinstance(value, int | float) else UNDEFINED,
}


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.position = 0

    def peek(self, value: str | None = None, kind: str | None = None) -> bool:
        if self.position >= len(self.tokens):
            return False
        token_kind, token_value = self.tokens[self.position]
        return (value is None or token_value == value) and (kind is None or token_kind == kind)

    def take(self, value: str | None = None, kind: str | None = None) -> str:
        if not self.peek(value, kind):
            found = self.tokens[self.position][1] if self.position < len(self.tokens) else "the end"
            raise SqlError(f"expected {value or kind}, found {found!r}")
        self.position += 1
        return self.tokens[self.position - 1][1]

    def expression(self) -> Expr:
        left = self.conjunction()
        while self.peek("OR"):
            self.take()
            left = _binary(left, self.conjunction(), _or)
        return left

    def conjunction(self) -> Expr:
        left = self.negation()
        while self.peek("AND"):
            self.take()
            left = _binary(left, self.negation(), _and)
        return left

    def negation(self) -> Expr:
        if self.peek("NOT"):
            self.take()
            inner = self.negation()
            return lambda context: _not(inner(context))
        return self.comparison()

    def comparison(self) -> Expr:
        left = self.additive()
        if self.peek("IS"):
            self.take()
            negate = self.peek("NOT")
            if negate:
                self.take()
            self.take("NULL")
            return lambda context: (left(context) in (None, UNDEFINED)) != negate
        for symbol, apply in _COMPARISONS.items():
            if self.peek(symbol, "op"):
                self.take()
                return _binary(left, self.additive(), apply)
        return left

    def additive(self) -> Expr:
        left = self.term()
        while self.peek("+", "op") or self.peek("-", "op"):
            symbol = self.take()
            left = _binary(left, self.term(), _ARITHMETIC[symbol])
        return left

    def term(self) -> Expr:
        left = self.unary()
        while self.peek("*", "op") or self.peek("/", "op") or self.peek("%", "op"):
            symbol = self.take()
            left = _binary(left, self.unary(), _ARITHMETIC[symbol])
        return left

    def unary(self) -> Expr:
        if self.peek("-", "op"):
            self.take()
            inner = self.unary()
            return lambda context: _ARITHMETIC["-"](0, inner(context))
        return self.primary()

    def primary(self) -> Expr:
        if self.peek(kind="number"):
            text = self.take()
            number = float(text) if "." in text else int(text)
            return lambda _context: number
        if self.peek(kind="string"):
            literal = self.take()[1:-1].replace("''", "'")
            return lambda _context: literal
        for word, constant in (("TRUE", True), ("FALSE", False), ("NULL", None)):
            if self.peek(word):
                self.take()
                return lambda _context, constant=constant: constant
        if self.peek("(", "op"):
            self.take()
            inner = self.expression()
            self.take(")")
            return inner
        name = self.take(kind="word")
        if self.peek("(", "op"):
            return self.call(name)
        path = [name]
        while self.peek(".", "op"):
            self.take()
            path.append(self.take(kind="word"))
        return lambda context: _lookup(context.payload, path)

    def call(self, name: str) -> Expr:
        function = _FUNCTIONS.get(name.lower())
        if function is None:
            raise SqlError(f"unsupported function {name}()")
        self.take("(")
        arguments: list[Expr] = []
        while not self.peek(")", "op"):
            arguments.append(self.expression())
            if not self.peek(")", "op"):
                self.take(",")
        self.take(")")
        return lambda context: function(context, *(argument(context) for argument in arguments))


def _lookup(document: Any, path: list[str]) -> Any:
    for part in path:
        if not isinstance(document, dict) or part not in document:
            return UNDEFINED
        document = document[part]
    return document


def _binary(left: Expr, right: Expr, apply: Callable[[Any, Any], Any]) -> Expr:
    return lambda context: apply(left(context), right(context))


def _and(left: Any, right: Any) -> Any:
    return left is True and right is True


def _or(left: Any, right: Any) -> Any:
    return left is True or right is True


def _not(value: Any) -> Any:
    return UNDEFINED if value is UNDEFINED else not value


@dataclass(frozen=True)
class _SelectItem:
    star: bool
    expr: Expr | None
    name: str | None


@dataclass(frozen=True)
class RuleQuery:
    topic_filter: str
    items: tuple[_SelectItem, ...]
    where: Expr | None

    def apply(self, context: MessageContext) -> dict[str, Any] | None:
        """The rule's output for one message, or None when the WHERE clause does not hold."""
        if self.where is not None and self.where(context) is not True:
            return None
        result: dict[str, Any] = {}
        for item in self.items:
            if item.star:
                result.update(context.payload)
                continue
            assert item.expr is not None
            assert item.name is not None
            value = item.expr(context)
            if value is not UNDEFINED:
                result[item.name] = value
        return result


def parse_rule_sql(sql: str) -> RuleQuery:
    parser = _Parser(sql)
    parser.take("SELECT")
    items = [_select_item(parser)]
    while parser.peek(",", "op"):
        parser.take()
        items.append(_select_item(parser))
    parser.take("FROM")
    topic_filter = parser.take(kind="string")[1:-1]
    where = None
    if parser.peek("WHERE"):
        parser.take()
        where = parser.expression()
    if parser.position != len(parser.tokens):
        raise SqlError(f"unexpected {parser.tokens[parser.position][1]!r} after the query")
    return RuleQuery(topic_filter, tuple(items), where)


def _select_item(parser: _Parser) -> _SelectItem:
    if parser.peek("*", "op"):
        parser.take()
        return _SelectItem(star=True, expr=None, name=None)
    start = parser.position
    expr = parser.expression()
    if parser.peek("AS"):
        parser.take()
        return _SelectItem(star=False, expr=expr, name=parser.take(kind="word"))
    consumed = parser.tokens[start : parser.position]
    # Without AS, a field path keeps its last name and a function call its function's name.
    words = [value for kind, value in consumed if kind == "word"]
    if not words:
        raise SqlError("a computed SELECT item needs AS name")
    return _SelectItem(star=False, expr=expr, name=words[-1] if consumed[-1][0] == "word" else words[0])
