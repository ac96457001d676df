"""Parameter tables and templates of randomised exercises (see derivtutor.course.variants).

A parameter is an integer range or a list of choices (integers or names such as
``sin``); a constraint is ``LEFT OP RIGHT`` over parameter names; a template has
``{{name}}`` slots.

>>> fill("{{f}}({{a}}*x)", {"f": "sin", "a": 3})
'sin(3*x)'
"""
from __future__ import annotations

import math
import re

SLOT = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_NAME_VALUE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_CONSTRAINT = re.compile(r"^\s*(.+?)\s*(==|!=|<=|>=|<|>)\s*(.+?)\s*$")
MAX_ASSIGNMENTS = 5000


class VariantError(ValueError):
    """A parameter table, a constraint or a template that cannot work."""


# ----- the parameter table ---------------------------------------------------------------

def parameter_values(where: str, table: dict) -> dict:
    """name -> tuple of values, validated; ``constraints`` is not a parameter.

    >>> parameter_values("a.toml", {"a": {"range": [1, 3]}, "f": {"choices": ["sin"]}})
    {'a': (1, 2, 3), 'f': ('sin',)}
    """
    values = {}
    for name, spec in table.items():
        if name == "constraints":
            continue
        if not isinstance(spec, dict) or not _NAME_VALUE.match(name) or name == "function":
            raise VariantError(f"{where}: parameter '{name}' must be a table with 'range' or 'choices'")
        values[name] = _values(where, name, spec)
        if "default" in spec and spec["default"] not in values[name]:
            raise VariantError(f"{where}: parameter '{name}': default {spec['default']!r} is not one of its values")
    if not values:
        raise VariantError(f"{where}: [parameters] declares no parameter")
    if math.prod(len(v) for v in values.values()) > MAX_ASSIGNMENTS:
        raise VariantError(f"{where}: more than {MAX_ASSIGNMENTS} parameter assignments")
    return values


def _values(where: str, name: str, spec: dict) -> tuple:
    if "range" in spec:
        bounds = spec["range"]
        if (not isinstance(bounds, list) or len(bounds) not in (2, 3)
                or not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds)):
            raise VariantError(f"{where}: parameter '{name}': range must be [low, high] or [low, high, step] integers")
        low, high, step = (*bounds, 1)[:3]
        if step <= 0 or high < low:
            raise VariantError(f"{where}: parameter '{name}': empty range {bounds}")
        return tuple(range(low, high + 1, step))
    choices = spec.get("choices")
    if not isinstance(choices, list) or not choices:
        raise VariantError(f"{where}: parameter '{name}' needs 'range' or a non-empty 'choices'")
    for value in choices:
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str) and _NAME_VALUE.match(value))
        if not ok:
            raise VariantError(f"{where}: parameter '{name}': choice {value!r} must be an integer or a name")
    return tuple(choices)


def constraints(where: str, table: dict) -> tuple:
    """The constraints as (left, operator, right) template triples."""
    found = table.get("constraints", [])
    if not isinstance(found, list) or not all(isinstance(c, str) for c in found):
        raise VariantError(f"{where}: constraints must be a list of strings such as \"a != b\"")
    parsed = []
    for text in found:
        match = _CONSTRAINT.match(text)
        if not match:
            raise VariantError(f"{where}: constraint {text!r} must be 'LEFT OP RIGHT' with OP one of == != < <= > >=")
        parsed.append(match.groups())
    return tuple(parsed)


def fill(template: str, values: dict) -> str:
    """The template with each ``{{name}}`` replaced by its value (unknown names stay).

    >>> fill("{{f}}({{a}}*x)", {"f": "sin", "a": -2})
    'sin(-2*x)'
    """
    return SLOT.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template)


def parse_text(text: str):
    from derivtutor.input.parsing import parse

    return parse(text, syntax="plain")


def holds(values: dict, rule: tuple) -> bool:
    """Does one (left, op, right) constraint hold? Numbers compare as numbers, names as text."""
    left, op, right = _fill_names(rule[0], values), rule[1], _fill_names(rule[2], values)
    a, b = _number(left), _number(right)
    if a is None or b is None:
        if op not in ("==", "!="):
            raise VariantError(f"constraint '{left} {op} {right}': only == and != compare names")
        a, b = left, right
    return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _fill_names(text: str, values: dict) -> str:
    """A constraint side with parameter names (``a``, or ``{{a}}``) replaced by their values."""
    text = fill(text, values)
    return re.sub(r"\b[A-Za-z_][A-Za-z0-9_]*\b", lambda m: str(values.get(m.group(0), m.group(0))), text).strip()


def _number(text: str):
    """The real number a constraint side means (``a*b`` after substitution), else None."""
    try:
        value = parse_text(text)
    except Exception:  # a name such as sin is no number
        return None
    return float(value) if value.is_number and value.is_real else None


def label_of(values: dict) -> str:
    """A stable label: ``name=value`` pairs in the declared order.

    >>> label_of({"a": 3, "f": "sin"})
    'a=3,f=sin'
    """
    return ",".join(f"{name}={value}" for name, value in values.items())
