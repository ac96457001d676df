"""The "backprop" exercise kind: a scalar-case gradient typed in the course's symbols.

The student answers dE/d(parameter) of a one-dimensional network, in the
names of seed 004, e.g. ``(z-l)*z*(1-z)*U*y*(1-y)*x`` for dE/dV. Intermediate
quantities are allowed: before comparing, both the answer and the reference
(``backprop_scalar.scalar_chains``) have the forward definitions substituted
(z = sigma(U y + u), q = U y + u, y = sigma(V x + v), p = V x + v), so both
become functions of x, l and the parameters alone; ``sigma(q)``, ``z`` and
``sigmoid(U*y + u)`` are then the same thing. Equivalence, diagnoses and
messages are the answer checker's (``derivtutor.checking.checker.check_answer`` with
``expected=``).

Kind-specific TOML fields::

    network = "seed-004"     # a preset from NETWORKS (required unless `activations` is given)
    activations = ["sigmoid", "tanh"]   # instead of `network`: one per layer, widths all 1;
                             # the names are then x, a1, z1, a2, z2, ..., W1, b1, ..., l
    loss = "mse"             # with `activations`: the loss (only mse has a scalar case)
    l2 = false               # with `activations`: add lam (V^2 + v^2 + ...) to E
    parameter = "V"          # which gradient dE/d(parameter) is asked (required)

Presets: ``seed-004`` (p = Vx + v, y = sigma(p), q = Uy + u, z = sigma(q),
E = 1/2 (z - l)^2) and ``seed-004-l2`` (the same plus lam(V^2 + v^2 + U^2 + u^2)).

>>> ex = {"network": "seed-004", "parameter": "V"}
>>> check(ex, "(z-l)*z*(1-z)*U*y*(1-y)*x").verdict
'correct'
>>> check(ex, "(z-l)*z*(1-z)*U*y*(1-y)").verdict
'incorrect'
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from derivtutor.backprop.network import NetworkSpec, SpecError, quantity_names
from derivtutor.catalogue import message

#: Named scalar networks an exercise can refer to.
NETWORKS = {
    "seed-004": NetworkSpec((1, 1, 1), ("sigmoid", "sigmoid")),
    "seed-004-l2": NetworkSpec((1, 1, 1), ("sigmoid", "sigmoid"), l2=0.0),
}
TIME_LIMIT = 10.0  # seconds for parsing, substitution and the equivalence check


class BackpropExerciseError(ValueError):
    """An exercise file whose backprop fields are wrong (the author's problem, not the student's)."""


def network_of(exercise) -> NetworkSpec:
    """The scalar network an exercise is about (a preset or explicit activations)."""
    name = _field(exercise, "network")
    if name is not None:
        if name not in NETWORKS:
            raise BackpropExerciseError(message("backprop.exercise.bad-network", "en", name=name))
        return NETWORKS[name]
    activations = _field(exercise, "activations")
    if not activations:
        raise BackpropExerciseError("a backprop exercise needs `network` or `activations`")
    l2 = 0.0 if _field(exercise, "l2") else None
    try:
        spec = NetworkSpec((1,) * (len(activations) + 1), tuple(activations), _field(exercise, "loss") or "mse", l2)
        return replace(spec, names=_typeable_names(spec))
    except SpecError as exc:
        raise BackpropExerciseError(message("backprop.error." + exc.code.split(".", 1)[1], "en", **exc.fields)) from None


def _typeable_names(spec: NetworkSpec) -> tuple:
    """a_1 -> a1, W_2 -> W2: the names the parser gives for what students type (w_1 or w1)."""
    n = quantity_names(spec)
    ordered = (n.x, *(v for pair in zip(n.a, n.z) for v in pair), *n.parameters(), n.l)
    return tuple(name.replace("_", "") for name in ordered)


def reference(exercise):
    """(spec, parameter, the reference gradient in the course's symbols)."""
    from derivtutor.backprop.scalar import scalar_chains

    spec, parameter = network_of(exercise), _field(exercise, "parameter")
    chains = scalar_chains(spec)
    if parameter not in chains:
        raise BackpropExerciseError(message("backprop.exercise.bad-parameter", "en", name=parameter))
    return spec, parameter, chains[parameter].value


def check(exercise, answer: str, lang: str = "en", syntax: str = "auto"):
    """Grade ``answer`` (text) for dE/d(parameter); returns a CheckResult. Never raises on bad input.

    A Russian decimal comma (``0,5*(z-l)``) is read as a point, and the message says so.
    """
    from derivtutor.input.parsing import decimal_comma_note

    return decimal_comma_note(answer, lang, _check(exercise, answer, lang, syntax))


def _check(exercise, answer: str, lang: str, syntax: str):
    from derivtutor.backprop.scalar import forward_substitution, symbols_of
    from derivtutor.budget import TimeLimitExceeded, time_limit
    from derivtutor.input.parsing import ParseError, parse

    spec, parameter, expected = reference(exercise)
    allowed = sorted(symbols_of(spec)) + (["lam"] if spec.l2 is not None else [])
    try:
        with time_limit(TIME_LIMIT):
            value = parse(answer, syntax=syntax, variables=allowed, decimal_comma=lang == "ru")
            unknown = sorted(s.name for s in value.free_symbols if s.name not in allowed)
            if unknown:
                text = message("backprop.exercise.unknown-symbol", lang, name=unknown[0], allowed=", ".join(allowed))
                return _result("invalid", None, ["backprop.unknown-symbol"], text, expected)
            return compare(forward_substitution(spec, value), forward_substitution(spec, expected),
                           parameter, expected, lang, typed=value)
    except ParseError as exc:
        return _result("invalid", None, [exc.code], exc.render(lang), expected)
    except TimeLimitExceeded:
        return _result("invalid", None, ["backprop.timeout"], message("graph.error.timeout", lang), expected)


def compare(answer, expected, parameter: str, shown, lang: str, typed=None):
    """The seam to the answer checker: both sides are functions of inputs and parameters now.

    ``check_answer`` gets the substituted answer as an expression and the
    substituted reference as ``expected``; the result then shows the reference
    (``shown``) and the answer (``typed``) in the course's symbols, not as the
    long nested formulas.
    """
    try:
        from derivtutor.checking.checker import check_answer
    except ModuleNotFoundError:  # the checker has not landed: numeric equivalence only
        return _numeric_compare(answer, expected, shown, lang)
    from derivtutor.backprop.render import LatexPrinter, TextPrinter

    result = check_answer(None, answer, var=parameter, expected=expected, lang=lang)
    text = TextPrinter(lang)
    return replace(result, expected=text.scalar(shown), expected_latex=LatexPrinter(lang).scalar(shown),
                   answer=text.scalar(typed if typed is not None else answer))


def _numeric_compare(answer, expected, shown, lang):
    import random

    import sympy

    symbols = sorted(answer.free_symbols | expected.free_symbols, key=str)
    rng = random.Random(0)
    for _ in range(6):
        point = {s: sympy.Float(rng.uniform(-2, 2)) for s in symbols}
        a, b = complex(answer.evalf(subs=point)), complex(expected.evalf(subs=point))
        if abs(a - b) > 1e-9 * (1 + abs(b)):
            return _result("incorrect", 0.0, [], message("backprop.exercise.incorrect", lang), shown,
                           {s.name: float(v) for s, v in point.items()})
    return _result("correct", 1.0, [], message("backprop.exercise.correct", lang), shown)


def _result(verdict, score, diagnosis, text, expected, counterexample=None):
    from derivtutor.backprop.render import LatexPrinter, TextPrinter

    try:
        from derivtutor.checking.checker import CheckResult
    except ModuleNotFoundError:
        CheckResult = _PendingCheckResult
    return CheckResult(verdict=verdict, score=score, diagnosis=list(diagnosis), message=text,
                       expected=TextPrinter().scalar(expected), expected_latex=LatexPrinter().scalar(expected),
                       counterexample=counterexample)


@dataclass
class _PendingCheckResult:
    """Stand-in with CheckResult's fields until derivtutor.checking.checker lands."""
    verdict: str
    score: float | None
    diagnosis: list = field(default_factory=list)
    message: str = ""
    expected: str = ""
    expected_latex: str = ""
    counterexample: dict | None = None


def _field(exercise, name, default=None):
    getter = getattr(exercise, "get", None)
    return getter(name, default) if getter is not None else default
