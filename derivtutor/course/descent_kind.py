"""The "descent" exercise kind: questions about gradient descent, graded exactly.

An exercise file (``exercises/<id>.toml``) has the common fields (id, kind =
"descent", topic, difficulty, points, title, prompt, hints, partial_credit) and
these kind-specific ones::

    loss = "w^2 + 12"        # the loss L, read by derivtutor.input.parsing.parse
    start = { w = "5" }      # the start point; values as text ("5", "1/2", "0.1") or numbers
    lr = "0.1"               # the learning rate; text keeps decimals exact
    question = "value"       # "value" | "steps" | "behaviour"
    k = 3                    # value: the number of updates (w_k after k steps), 0..200
    variable = "w"           # value: which coordinate is asked (default: the only variable)
    eps = "0.01"             # steps: the stop rule |L_{k+1} - L_k| < eps (required);
                             # behaviour: the run's eps (default 0.01)
    max_iter = 1000          # steps, behaviour: iteration limit (default 1000)
    tolerance = "1e-4"       # value: optional absolute tolerance (default: exact)

The three questions and their answers:

- ``value``: the number w_k after k updates w_{i+1} = w_i - lr * dL/dw(w_i).
  Computed in exact rational arithmetic whenever L's derivative keeps the
  numbers rational (polynomials with rational start and rate), and the answer
  must then equal it exactly (2.56 or 64/25 for w_3 on w^2 + 12 from 5 with lr
  0.1) unless ``tolerance`` is given. An irrational w_k needs ``tolerance``
  (otherwise 1e-9 relative is used).
- ``steps``: how many updates are made until the stop rule first holds, counting
  the update that makes it hold (17 for the example with eps 0.01).
- ``behaviour``: one word, converges / oscillates / diverges (Russian сходится /
  осциллирует / расходится), as ``derivtutor.descent.lab.classify`` decides it.

Mistakes recognised (diagnosis codes, usable in ``partial_credit``):
``descent.ascent`` (added the step), ``descent.no-rate`` (stepped by the whole
gradient), ``descent.off-by-one`` (w_{k-1} or w_{k+1}), ``descent.steps-off-by-one``.

>>> exercise = {"loss": "w^2 + 12", "start": {"w": "5"}, "lr": "0.1", "question": "value", "k": 3}
>>> check(exercise, "2.56").verdict, check(exercise, "64/25").verdict, check(exercise, "2.5").verdict
('correct', 'correct', 'incorrect')
"""
from __future__ import annotations

from fractions import Fraction

import sympy

from derivtutor.catalogue import message
from derivtutor.checking.checker import CheckResult
from derivtutor.render.notation import course_latex

QUESTIONS = ("value", "steps", "behaviour")
MAX_K = 200
DEFAULT_EPS = Fraction(1, 100)
DEFAULT_MAX_ITER = 1000
#: Rationals with more digits than this switch to 60-digit floats (they would only grow).
MAX_DIGITS = 400
IRRATIONAL_RTOL = 1e-9

#: Words a student may answer for the behaviour question, mapped to the classification.
BEHAVIOUR_WORDS = {
    "converges": "converges", "converge": "converges", "convergent": "converges", "converging": "converges",
    "oscillates": "oscillates", "oscillate": "oscillates", "oscillating": "oscillates",
    "diverges": "diverges", "diverge": "diverges", "divergent": "diverges", "diverging": "diverges",
    "сходится": "converges", "сходящийся": "converges",
    "осциллирует": "oscillates", "колеблется": "oscillates",
    "расходится": "diverges", "расходящийся": "diverges",
}

#: The mistakes recognised in a "value" answer: diagnosis code -> how the wrong value is made.
VALUE_MISTAKES = {
    "descent.ascent": {"sign": 1},
    "descent.no-rate": {"lr": 1},
    "descent.off-by-one": {"dk": (-1, 1)},
}



class DescentExerciseError(ValueError):
    """An exercise file whose descent fields are wrong (the instructor's problem, not the student's)."""


def check(exercise, answer: str, lang: str = "en", syntax: str = "auto"):
    """Grade ``answer`` to a "descent" exercise; returns a CheckResult.

    >>> ex = {"loss": "w^2 + 12", "start": {"w": 5}, "lr": "1.1", "question": "behaviour"}
    >>> check(ex, "расходится").verdict
    'correct'
    """
    from derivtutor.input.parsing import decimal_comma_note

    graders = {"value": _check_value, "steps": _check_steps, "behaviour": _check_behaviour}
    try:
        spec = read_spec(exercise)
        partial = dict(_field(exercise, "partial_credit", None) or {})
        result = graders[spec["question"]](spec, answer, lang, syntax, partial)
        # A number was read: say how a Russian decimal comma in it was read (0,5 -> 0.5).
        return result if spec["question"] == "behaviour" else decimal_comma_note(answer, lang, result)
    except DescentExerciseError as exc:  # the instructor's mistake never costs the student points
        text = message("descent.exercise-misconfigured", lang, detail=str(exc))
        return _result("invalid", 0.0, [], text, None, None, answer)


def read_spec(exercise) -> dict:
    """The validated descent fields: loss (SymPy), start {name: Rational}, lr, question, ..."""
    from derivtutor.descent.lab import variables_of
    from derivtutor.input.parsing import ParseError, parse

    question = _field(exercise, "question")
    if question not in QUESTIONS:
        raise DescentExerciseError(f"question must be one of {QUESTIONS}, not {question!r}")
    try:
        loss = parse(str(_field(exercise, "loss")))
    except ParseError as exc:
        raise DescentExerciseError(f"loss: {exc.message}") from None
    names = [v.name for v in variables_of(loss)]
    start = _field(exercise, "start")
    if not isinstance(start, dict) or sorted(start) != names:
        raise DescentExerciseError(f"start must give exactly the variables {names}")
    spec = {
        "question": question, "loss": loss, "names": names,
        "start": {n: _exact(start[n], f"start.{n}") for n in names},
        "lr": _exact(_field(exercise, "lr"), "lr"),
        "max_iter": int(_field(exercise, "max_iter", DEFAULT_MAX_ITER)),
        "eps": _exact(_field(exercise, "eps", None if question == "steps" else str(DEFAULT_EPS)), "eps"),
    }
    if question == "value":
        spec["k"] = _field(exercise, "k")
        if not isinstance(spec["k"], int) or not 0 <= spec["k"] <= MAX_K:
            raise DescentExerciseError(f"k must be a whole number from 0 to {MAX_K}")
        spec["variable"] = _field(exercise, "variable", names[0] if len(names) == 1 else None)
        if spec["variable"] not in names:
            raise DescentExerciseError(f"variable must be one of {names}")
        tolerance = _field(exercise, "tolerance", None)
        spec["tolerance"] = None if tolerance is None else _exact(tolerance, "tolerance")
    return spec


def iterate_exact(spec: dict, k: int, *, sign: int = -1, lr=None) -> list[dict]:
    """w_0 .. w_k of w_{i+1} = w_i + sign * lr * grad L(w_i), exact while the numbers stay rational.

    >>> from derivtutor.input.parsing import parse
    >>> spec = {"loss": parse("w^2 + 12"), "names": ["w"], "start": {"w": sympy.Integer(5)}, "lr": sympy.Rational(1, 10)}
    >>> [p["w"] for p in iterate_exact(spec, 3)]
    [5, 4, 16/5, 64/25]
    """
    points = _exact_points(spec, sign, lr)
    return [next(points) for _ in range(k + 1)]


def steps_until_stop(spec: dict) -> int | None:
    """The number of updates until |L_{k+1} - L_k| < eps first holds (None: not within max_iter)."""
    f = _lambdify(spec, spec["loss"])
    points = _exact_points(spec)
    previous = f(*next(points).values())
    for k in range(1, spec["max_iter"] + 1):
        current = f(*next(points).values())
        if abs(current - previous) < spec["eps"]:
            return k
        previous = current
    return None


def _exact_points(spec: dict, sign: int = -1, lr=None):
    """Endless w_0, w_1, ... as {name: SymPy number} (exact rationals where possible)."""
    from derivtutor.descent.lab import gradient

    grad = gradient(spec["loss"])
    rate = spec["lr"] if lr is None else sympy.Integer(lr)
    g = _lambdify(spec, [grad[n] for n in spec["names"]])
    x = {n: _bounded(v) for n, v in spec["start"].items()}
    while True:
        yield x
        values = g(*x.values())
        x = {n: _bounded(x[n] + sign * rate * gv) for n, gv in zip(spec["names"], values)}


def _lambdify(spec: dict, expr):
    """Exact evaluation with SymPy numbers (the loss came through the parser)."""
    from derivtutor.functions import sigmoid

    symbols = [sympy.Symbol(n) for n in spec["names"]]
    return sympy.lambdify(symbols, expr, modules=[{"sigmoid": sigmoid}, "sympy"])


def _check_value(spec, answer, lang, syntax, partial):
    number, problem = _read_number(answer, syntax, lang)
    if problem is not None:
        return problem
    k, name = spec["k"], spec["variable"]
    expected = iterate_exact(spec, k)[-1][name]
    if _same(number, expected, spec["tolerance"]):
        return _correct(expected, answer, lang)
    for code, change in VALUE_MISTAKES.items():
        if any(_same(number, wrong, spec["tolerance"]) for wrong in _mistaken(spec, change)):
            return _incorrect(expected, answer, lang, "descent.exercise-wrong-value", code, partial, variable=name, k=k)
    return _incorrect(expected, answer, lang, "descent.exercise-wrong-value", None, partial, variable=name, k=k)


def _mistaken(spec, change: dict) -> list:
    k, name = spec["k"], spec["variable"]
    if "dk" in change:
        return [iterate_exact(spec, k + d)[-1][name] for d in change["dk"] if k + d >= 0]
    return [iterate_exact(spec, k, sign=change.get("sign", -1), lr=change.get("lr"))[-1][name]]


def _check_steps(spec, answer, lang, syntax, partial):
    expected = steps_until_stop(spec)
    if expected is None:
        raise DescentExerciseError(f"the stop rule does not hold within max_iter = {spec['max_iter']}")
    number, problem = _read_number(answer, syntax, lang)
    if problem is not None:
        return problem
    if not number.is_Integer:
        return _invalid(answer, lang, "descent.exercise-not-whole")
    if int(number) == expected:
        return _correct(sympy.Integer(expected), answer, lang)
    code = "descent.steps-off-by-one" if abs(int(number) - expected) == 1 else None
    return _incorrect(sympy.Integer(expected), answer, lang, "descent.exercise-wrong-steps", code, partial)


def _check_behaviour(spec, answer, lang, syntax, partial):
    from derivtutor.descent.lab import descend

    trace = descend(spec["loss"], spec["start"], float(spec["lr"]), float(spec["eps"]), spec["max_iter"],
                    formulas=False)
    expected = trace.behaviour
    word = BEHAVIOUR_WORDS.get(answer.strip().strip(".!").strip().lower())
    if word is None:
        return _invalid(answer, lang, "descent.exercise-not-behaviour")
    shown = message(f"descent.behaviour-{expected}", lang)
    if word == expected:
        return _result("correct", 1.0, [], message("descent.exercise-correct", lang), shown, None, answer)
    text = message("descent.exercise-wrong-behaviour", lang)
    return _result("incorrect", 0.0, [], text, shown, None, answer)


def _read_number(answer: str, syntax: str, lang: str):
    """(exact SymPy number, None) or (None, an "invalid" CheckResult)."""
    from derivtutor.input.parsing import ParseError, parse

    try:
        value = parse(answer, syntax=syntax, decimal_comma=lang == "ru")
    except ParseError as exc:
        return None, _result("invalid", 0.0, [], exc.render(lang), None, None, answer, exc.position)
    if value.free_symbols or not value.is_extended_real or not value.is_finite:
        return None, _invalid(answer, lang, "descent.exercise-not-number")
    return value, None


def _same(answer, expected, tolerance) -> bool:
    if tolerance is not None:
        return abs(float(answer - expected)) <= float(tolerance)
    if expected.is_Rational:
        return bool(answer.is_Rational and answer == expected)
    a, e = float(answer), float(expected)
    return abs(a - e) <= IRRATIONAL_RTOL * max(1.0, abs(e))


def _correct(expected, answer, lang):
    return _result("correct", 1.0, [], message("descent.exercise-correct", lang), _shown(expected),
                   course_latex(_shown(expected)), answer)


def _shown(value):
    """An expected value as a student reads it: exact, or 15 significant digits."""
    return value if value.is_Rational else sympy.Float(value, 15)


def _incorrect(expected, answer, lang, code, diagnosis, partial, **fields):
    text = message(code, lang, **fields)
    diagnoses = [] if diagnosis is None else [diagnosis]
    if diagnosis is not None:
        text = f"{text} {message(diagnosis, lang)}"
    score = float(partial.get(diagnosis, 0.0)) if diagnosis else 0.0
    return _result("incorrect", score, diagnoses, text, _shown(expected), course_latex(_shown(expected)), answer)


def _invalid(answer, lang, code):
    return _result("invalid", 0.0, [], message(code, lang), None, None, answer)


def _result(verdict, score, diagnosis, text, expected, expected_latex, answer, position=None):
    return CheckResult(verdict=verdict, score=score, diagnosis=diagnosis, message=text,
                       expected=None if expected is None else str(expected), expected_latex=expected_latex,
                       answer=answer, counterexample=None, position=position)


def _field(exercise, name, *default):
    """A field of an Exercise (``.get``) or of a plain dict; required unless a default is given."""
    value = exercise.get(name, None)
    if value is None:
        if default:
            return default[0]
        raise DescentExerciseError(f"missing field '{name}'")
    return value


def _exact(value, name: str):
    """An exact SymPy number from a TOML value: int, float (its decimal text, exactly) or text."""
    from derivtutor.input.parsing import ParseError, parse_number

    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise DescentExerciseError(f"{name} must be a number")
    if isinstance(value, int):
        return sympy.Integer(value)
    text = repr(value) if isinstance(value, float) else value
    try:
        return parse_number(text)
    except ParseError:
        raise DescentExerciseError(f"{name} must be a number, not {text!r}") from None


def _bounded(value):
    """Exact rationals while they stay small; otherwise 60-digit floats (never nested expressions)."""
    if value.is_Rational and len(str(value.q)) + len(str(value.p)) <= MAX_DIGITS:
        return value
    return sympy.Float(value.evalf(60), 60)

