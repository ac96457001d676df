"""Gradient descent API (derivtutor.descent.lab): numbers against exact and independent witnesses."""
from __future__ import annotations

import math
from fractions import Fraction

import pytest
import sympy

import derivtutor
from derivtutor.descent.lab import DescentError, classify, descend, gradient, gradient_formulas, study
from derivtutor.functions import sigmoid

w, x, y = sympy.symbols("w x y")
SEED_LOSS = w**2 + 12          # seed 000
CONTOUR_LOSS = (x - 3)**2 + 2 * (y + 2)**2   # seed 002, minimum (3, -2)


def exact_seed_points(lr: Fraction, n: int) -> list[Fraction]:
    """w_k for L = w^2 + 12 from w = 5, in exact arithmetic: w_{k+1} = w_k - lr * 2 w_k."""
    points = [Fraction(5)]
    for _ in range(n):
        points.append(points[-1] - lr * 2 * points[-1])
    return points


def exact_stop_step(lr: Fraction, eps: Fraction) -> int:
    """The first k with |L(w_k) - L(w_{k-1})| < eps, in exact arithmetic."""
    points = exact_seed_points(lr, 2000)
    losses = [p * p + 12 for p in points]
    return next(k for k in range(1, len(losses)) if abs(losses[k] - losses[k - 1]) < eps)


def test_seed_iterates_are_five_times_0_8_to_the_k():
    trace = descend(SEED_LOSS, {"w": 5}, lr=0.1, eps=1e-12, max_iter=60)
    closed_form = [Fraction(5) * Fraction(4, 5) ** k for k in range(len(trace.steps))]
    assert closed_form == exact_seed_points(Fraction(1, 10), len(trace.steps) - 1)
    for step, exact in zip(trace.steps, closed_form):
        assert math.isclose(step.point["w"], float(exact), rel_tol=1e-12, abs_tol=1e-300)
        assert math.isclose(step.loss, float(exact**2 + 12), rel_tol=1e-12)
        assert math.isclose(step.grad["w"], float(2 * exact), rel_tol=1e-12, abs_tol=1e-300)


@pytest.mark.parametrize(
    "lr, eps",
    [(Fraction(1, 10), Fraction(1, 100)), (Fraction(1, 100), Fraction(1, 100)), (Fraction(3, 10), Fraction(1, 1000)),
     (Fraction(9, 10), Fraction(1, 100))],
    ids=["seed-0.1", "slow-0.01", "0.3-tight", "zigzag-0.9"],
)
def test_stop_rule_fires_where_the_exact_run_says(lr, eps):
    trace = descend(SEED_LOSS, {"w": 5}, lr=float(lr), eps=float(eps))
    assert trace.stopped == "eps"
    assert trace.final.k == exact_stop_step(lr, eps)
    # the table's last change is the one below eps, every earlier one is not
    changes = [s.change for s in trace.steps[:-1]]
    assert changes[-1] < float(eps) and all(c >= float(eps) for c in changes[:-1])
    assert trace.final.change is None


def test_max_iter_is_reported_when_the_rule_never_holds():
    trace = descend(SEED_LOSS, {"w": 5}, lr=0.001, eps=1e-9, max_iter=10)
    assert (trace.stopped, trace.final.k, len(trace.steps)) == ("max_iter", 10, 11)


@pytest.mark.parametrize(
    "lr, behaviour",
    [(0.01, "converges"), (0.1, "converges"), (0.5, "converges"), (0.9, "oscillates"), (1.0, "oscillates"),
     (1.1, "diverges"), (3.0, "diverges")],
    ids=["0.01", "0.1", "0.5-one-step", "0.9", "1.0-bounces", "1.1", "3"],
)
def test_learning_rate_classes_follow_the_factor_1_minus_2lr(lr, behaviour):
    # w_{k+1} = (1 - 2 lr) w_k: |factor| > 1 diverges, a negative factor overshoots
    factor = 1 - 2 * lr
    witness = "diverges" if abs(factor) > 1 else "oscillates" if factor < 0 else "converges"
    assert witness == behaviour
    assert classify(descend(SEED_LOSS, {"w": 5}, lr=lr)) == behaviour


def test_divergence_at_lr_1_1_is_clean():
    trace = descend(SEED_LOSS, {"w": 5}, lr=1.1)
    assert (trace.stopped, trace.cause, trace.behaviour) == ("diverged", "blowup", "diverges")
    values = [v for s in trace.steps for v in (s.loss, *s.point.values(), *s.grad.values())]
    assert all(math.isfinite(v) for v in values)
    exact = exact_seed_points(Fraction(11, 10), trace.final.k)
    assert all(math.isclose(s.point["w"], float(e), rel_tol=1e-9) for s, e in zip(trace.steps, exact))


@pytest.mark.parametrize(
    "loss, start, lr, cause",
    [(sympy.exp(w**2), 3, 1.0, "overflow"), (w**4, 1e60, 0.1, "overflow"), (sympy.log(w), 1, 2.0, "undefined"),
     (sympy.sqrt(w), 1, 1.0, "undefined"), (sympy.asin(w), 0.5, 2.0, "undefined"), (-w**3, 2, 0.1, "overflow")],
    ids=["exp-overflow", "huge-start", "log-leaves-domain", "sqrt-leaves-domain", "asin-leaves-domain", "unbounded-below"],
)
def test_overflow_and_domain_errors_end_the_run_with_only_finite_rows(loss, start, lr, cause):
    trace = descend(loss, {"w": start}, lr=lr, max_iter=200)
    assert trace.stopped == "diverged"
    assert trace.cause in (cause, "blowup")
    for step in trace.steps:
        assert all(math.isfinite(v) for v in (step.loss, *step.point.values(), *step.grad.values()))


def test_contour_example_reaches_the_minimum_3_minus_2():
    trace = descend(CONTOUR_LOSS, {"x": 0, "y": 0}, lr=0.1, eps=1e-14)
    assert trace.variables == ("x", "y")
    assert trace.final.point["x"] == pytest.approx(3, abs=1e-6)
    assert trace.final.point["y"] == pytest.approx(-2, abs=1e-6)
    # each coordinate contracts on its own: x - 3 by (1 - 0.2), y + 2 by (1 - 0.4)
    for s in trace.steps[:30]:
        assert s.point["x"] - 3 == pytest.approx(-3 * 0.8**s.k, abs=1e-12)
        assert s.point["y"] + 2 == pytest.approx(2 * 0.6**s.k, abs=1e-12)


LOSSES = [
    (w**2 + 12, {"w": 1.5}),
    (sympy.log(1 + w**2) + sympy.tan(w)**2, {"w": 0.4}),
    (sigmoid(w) * (w - 1)**2, {"w": 0.3}),
    (CONTOUR_LOSS + x * y, {"x": 0.2, "y": -0.7}),
    (sympy.exp(x * y) + sympy.sin(x) - y**3, {"x": 0.5, "y": 0.25}),
    (sympy.Abs(w - 2) + w**2, {"w": 0.5}),
]


@pytest.mark.parametrize("loss, point", LOSSES, ids=["seed", "log-tan", "sigmoid", "quadratic-xy", "exp-sin", "abs"])
def test_gradient_matches_central_differences(loss, point):
    trace = descend(loss, point, lr=1e-9, eps=1e-30, max_iter=1)
    h = 1e-6
    for name in trace.variables:
        up = loss.subs({**point, name: point[name] + h})
        down = loss.subs({**point, name: point[name] - h})
        fd = float((up - down).evalf(30)) / (2 * h)
        assert trace.steps[0].grad[name] == pytest.approx(fd, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("loss, point", LOSSES, ids=["seed", "log-tan", "sigmoid", "quadratic-xy", "exp-sin", "abs"])
def test_shown_gradient_formula_equals_sympy_diff(loss, point):
    real = {s: sympy.Symbol(s.name, real=True) for s in loss.free_symbols}  # parameters are real
    shown = gradient_formulas(loss)
    for name, formula in shown.items():
        reference = sympy.diff(loss.xreplace(real), real[sympy.Symbol(name)])
        for shift in (0.0, 0.37, -0.81):
            at = {k: point[k.name] + shift for k in real}
            at_real = {real[k]: v for k, v in at.items()}
            assert complex(formula.subs(at).evalf()) == pytest.approx(complex(reference.subs(at_real).evalf()), rel=1e-9)


def test_trace_json_has_exactly_the_issue_keys():
    data = descend(CONTOUR_LOSS, {"x": 0, "y": 0}, lr=0.1).to_dict()
    assert list(data) == ["gradient", "iterations", "stopped", "final"]
    assert list(data["gradient"]) == ["x", "y"]
    for name in ("x", "y"):  # the witness is sympy.diff, not the lab's own gradient
        shown = sympy.sympify(data["gradient"][name])
        assert sympy.expand(shown - sympy.diff(CONTOUR_LOSS, sympy.Symbol(name))) == 0
    assert sympy.simplify(sympy.sympify(data["gradient"]["y"]) - 4 * (y + 2)) == 0
    assert data["iterations"][0]["k"] == 0 and data["iterations"][0]["point"] == {"x": 0.0, "y": 0.0}
    assert all(set(row) == {"k", "point", "loss", "grad"} for row in data["iterations"])
    assert data["final"] == data["iterations"][-1]


def test_package_level_api_and_study():
    assert derivtutor.descend is descend
    traces = study(SEED_LOSS, 5, [0.01, 0.1, 0.9, 1.1])
    assert [t.behaviour for t in traces] == ["converges", "converges", "oscillates", "diverges"]
    assert [t.lr for t in traces] == [0.01, 0.1, 0.9, 1.1]


def test_text_input_goes_through_the_parser():
    trace = descend("(x-3)^2 + 2(y+2)^2", {"x": 0, "y": 0}, lr=0.1)
    assert trace.loss_expr == CONTOUR_LOSS


@pytest.mark.parametrize(
    "loss, start, settings, code",
    [(SEED_LOSS, {"v": 1}, {}, "descent.start-unknown"), (CONTOUR_LOSS, {"x": 1}, {}, "descent.start-missing"),
     (CONTOUR_LOSS, 1, {}, "descent.start-missing"), (SEED_LOSS, {"w": sympy.I}, {}, "descent.start-not-number"),
     (SEED_LOSS, {"w": 1}, {"lr": 0}, "descent.bad-rate"), (SEED_LOSS, {"w": 1}, {"eps": -1}, "descent.bad-eps"),
     (SEED_LOSS, {"w": 1}, {"max_iter": 0}, "descent.bad-max-iter"), (sympy.Integer(3), {}, {}, "descent.no-variables"),
     (sympy.log(w), {"w": -1}, {}, "descent.undefined-start"), (w**4, {"w": 1e100}, {}, "descent.overflow-start")],
    ids=["unknown-var", "missing-var", "bare-number-2d", "complex-start", "zero-rate", "negative-eps", "no-steps",
         "constant", "outside-domain", "overflow-at-start"],
)
def test_bad_input_raises_a_catalogued_error(loss, start, settings, code):
    with pytest.raises(DescentError) as info:
        descend(loss, start, **settings)
    assert info.value.code == code
    assert info.value.render("en") and info.value.render("ru")
