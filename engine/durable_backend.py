"""The only module that talks to durable-rules.

It drives the engine's C extension directly (`durable_rules_engine`), which the `durable.engine.Host`
wraps: the Host decodes and re-encodes JSON on every firing and is some 10x slower. Compiled units are
packed into small engine rulesets (`facts.engine_groups`: few enough alpha nodes that a fact can never
overflow the engine's alpha stack of 64, error 303). Each group fact is asserted, every action it
starts is read, and it is retracted at once, so no assessment can see another's facts (rules match
one fact each: there are no joins). Rules fire in `pri` order, lowest first, so the first action of
a unit is its status.
See docs/durable-rules-findings.md.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
from collections.abc import Sequence

import durable_rules_engine as _engine

from .compiler import CompiledRuleset
from .errors import EngineError
from .facts import Fact, engine_groups, number_json

ENGINE_ERRORS = {
    113: "a condition has more than 31 and/or expressions",
    204: "the engine could not read a fact or a rule (JSON it does not parse)",
    302: "a fact has more than 255 properties",
    303: "a fact meets too many rule conditions at once (alpha stack of 64)",
}
_names = itertools.count(1)
_lock = threading.Lock()


class DurableEvaluator:
    """Holds the engine rulesets for one compiled ruleset; decides the status of facts."""

    def __init__(self, compiled: CompiledRuleset) -> None:
        self.compiled = compiled
        self._handles: list[int] = []
        self._group_of: dict[int, int] = {}
        self._rule_of: dict[str, tuple[int, str]] = {}
        self._sid = itertools.count(1)
        try:
            for group_index, group in enumerate(engine_groups(compiled)):
                definition = {}
                for unit_index in group:
                    self._group_of[unit_index] = group_index
                    for rule in compiled.units[unit_index].rules:
                        engine_name = f"{unit_index}:{rule.name}"
                        self._rule_of[engine_name] = (unit_index, rule.name)
                        definition[engine_name] = {"all": [{"m": rule.condition}], "pri": rule.priority}
                name = f"vpsa{next(_names)}"
                self._handles.append(_engine.create_ruleset(name, engine_json(definition)))
        except Exception as exc:  # the engine reports numeric codes only
            self.close()
            raise EngineError(f"durable-rules refused a compiled rule ({_explain(exc)}).") from None

    def decide(self, facts: Sequence[Fact]) -> list[str | None]:
        """The name of the compiled rule that fired first for each fact's unit (None: nothing matched).

        Consecutive facts of one group with the same body are asserted once.
        """
        decided: list[str | None] = []
        handles, group_of = self._handles, self._group_of
        count = len(facts)
        with _lock:
            start = 0
            while start < count:
                fact = facts[start]
                group = group_of[fact.unit_index]
                end = start + 1
                while end < count and facts[end].body is fact.body and group_of[facts[end].unit_index] == group:
                    end += 1
                first = self._fire(handles[group], fact.body)
                for index in range(start, end):
                    decided.append(first.get(facts[index].unit_index))
                start = end
        return decided

    def _fire(self, handle: int, body: str) -> dict[int, str]:
        """Assert one fact; per unit index, the name of the first rule that fired.

        Every action is read, so nothing is left pending, and the fact is retracted at once: the
        engine's state is empty again after each fact. Reusing that state (sid "0") instead of
        creating and deleting one per fact saves about a third of the engine's time per fact.
        """
        fact = '{"sid":"0","id":"' + str(next(self._sid)) + '",' + body
        first: dict[int, str] = {}
        try:
            code, state = _engine.assert_fact(handle, fact)
            if code == 0:
                rule_of, complete = self._rule_of, _engine.complete_and_start_action
                started = _engine.start_action_for_state(handle, state)
                message = started[1] if started else None
                while message:
                    # the message is {"UNIT:RULE_NAME":{"m":...}}; the name is all we need
                    unit, name = rule_of[message[2 : message.index('"', 2)]]
                    if unit not in first:
                        first[unit] = name
                    message = complete(handle, state)
                _engine.retract_fact(handle, fact)
            else:  # nothing matched; the engine kept nothing, but leave no doubt
                with contextlib.suppress(Exception):
                    _engine.delete_state(handle, "0")
        except Exception as exc:
            with contextlib.suppress(Exception):  # the state may never have been created
                _engine.delete_state(handle, "0")
            raise EngineError(f"durable-rules failed on a fact ({_explain(exc)}).") from None
        return first

    def close(self) -> None:
        for handle in self._handles:
            with contextlib.suppress(Exception):  # best effort at shutdown
                _engine.delete_ruleset(handle)
        self._handles = []

    def __del__(self) -> None:  # engine handles are a finite resource (131,072 per process)
        self.close()

    def __enter__(self) -> DurableEvaluator:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def engine_json(data: object) -> str:
    """JSON text durable-rules can parse: its parser refuses an exponent without a decimal point (1e-07)."""
    numbers: dict[str, str] = {}

    def mark(value: object) -> object:
        if isinstance(value, float):
            text = number_json(value)
            if text != repr(value):
                key = f"@@number{len(numbers)}@@"
                numbers[f'"{key}"'] = text
                return key
            return value
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v) for v in value]
        return value

    text = json.dumps(mark(data), ensure_ascii=False)
    for key, number in numbers.items():
        text = text.replace(key, number)
    return text


def _explain(exc: BaseException) -> str:
    text = str(exc)
    for code, meaning in ENGINE_ERRORS.items():
        if str(code) in text:
            return f"error {code}: {meaning}"
    return text


def engine_version() -> str:
    from importlib.metadata import version

    return version("durable_rules")
