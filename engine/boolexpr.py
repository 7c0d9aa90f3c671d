"""A tiny boolean algebra over durable-rules condition literals, with the simplifications the compiler needs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Union


@dataclass(frozen=True)
class Const:
    value: bool


@dataclass(frozen=True)
class Lit:
    key: str  # canonical JSON of the durable-rules condition, so equal literals compare equal

    @staticmethod
    def of(condition: dict[str, Any]) -> Lit:
        return Lit(json.dumps(condition, sort_keys=True, separators=(",", ":")))

    def data(self) -> Any:
        return json.loads(self.key)


@dataclass(frozen=True)
class And:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Expr, ...]


Expr = Union[Const, Lit, And, Or]  # noqa: UP007 - recursive alias needs the runtime Union
TRUE = Const(True)
FALSE = Const(False)


def conj(*items: Expr) -> Expr:
    flat: list[Expr] = []
    for item in items:
        parts = item.items if isinstance(item, And) else (item,)
        for part in parts:
            if part == FALSE:
                return FALSE
            if part != TRUE and part not in flat:
                flat.append(part)
    if not flat:
        return TRUE
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def disj(*items: Expr) -> Expr:
    flat: list[Expr] = []
    for item in items:
        parts = item.items if isinstance(item, Or) else (item,)
        for part in parts:
            if part == TRUE:
                return TRUE
            if part != FALSE and part not in flat:
                flat.append(part)
    if not flat:
        return FALSE
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


def to_durable(expr: Expr) -> Any:
    if isinstance(expr, Lit):
        return expr.data()
    if isinstance(expr, And):
        return {"$and": [to_durable(item) for item in expr.items]}
    if isinstance(expr, Or):
        return {"$or": [to_durable(item) for item in expr.items]}
    raise ValueError("constants are folded away before emission")


def expression_count(expr: Expr) -> int:
    """How many entries durable-rules' expression sequence needs: 2 per and/or (open and end).

    Literals, `$m` comparisons included, become alpha nodes and take no entry (durable-rules' rete.c,
    createAlpha); tests/test_compiler.py checks this count against the engine itself.
    """
    if isinstance(expr, Lit):
        return 0
    if isinstance(expr, (And, Or)):
        return 2 + sum(expression_count(item) for item in expr.items)
    return 0
