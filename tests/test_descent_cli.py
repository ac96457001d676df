"""`derivtutor descend`: tables, JSON, the learning-rate study, plots and the missing-matplotlib path."""
from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest

from derivtutor.catalogue import message
from derivtutor.cli import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_json(capsys, *argv):
    code = main(["descend", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def seed_witness(k: int) -> Fraction:
    return Fraction(5) * Fraction(4, 5) ** k


def assert_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 5_000


def test_seed_run_json_has_the_issue_shape_and_exact_numbers(capsys):
    code, data = run_json(capsys, "w^2 + 12", "--start", "w=5", "--lr", "0.1", "--eps", "0.01")
    assert code == 0
    assert list(data) == ["gradient", "iterations", "stopped", "final"]
    assert data["gradient"] == {"w": "2*w"}
    assert data["stopped"] == "eps"
    for row in data["iterations"]:
        exact = seed_witness(row["k"])
        assert row["point"]["w"] == pytest.approx(float(exact), rel=1e-12)
        assert row["loss"] == pytest.approx(float(exact**2 + 12), rel=1e-12)
        assert row["grad"]["w"] == pytest.approx(float(2 * exact), rel=1e-12)
    assert [row["k"] for row in data["iterations"]] == list(range(18))
    assert data["final"] == data["iterations"][-1]


def test_seed_run_text_table_and_stop_sentence(capsys):
    assert main(["descend", "w^2 + 12", "--start", "w=5"]) == 0
    out = capsys.readouterr().out
    assert "dL/dw = 2*w" in out
    assert "|L_{k+1} - L_k|" in out
    rows = [line.split() for line in out.splitlines() if line.split()[:1] and line.split()[0].isdigit()]
    assert [int(r[0]) for r in rows] == list(range(18))
    assert [float(r[1]) for r in rows] == pytest.approx([float(seed_witness(k)) for k in range(18)], rel=1e-5)
    change_16 = seed_witness(16) ** 2 - seed_witness(17) ** 2
    assert message("descent.stopped-eps", "en", k=17, prev=16, change=f"{float(change_16):.6g}", eps="0.01") in out


def test_max_iter_is_said(capsys):
    assert main(["descend", "w^2 + 12", "--start", "w=5", "--lr", "0.001", "--max-iter", "5"]) == 0
    out = capsys.readouterr().out
    assert "iteration limit" in out and "(step 5)" in out


def test_learning_rate_study_json_and_plot(capsys, tmp_path):
    png = tmp_path / "lr.png"
    code, data = run_json(capsys, "w^2 + 12", "--start", "w=5", "--lr", "0.01,0.1,0.9,1.1", "--plot", str(png))
    assert code == 0
    assert_png(png)
    runs = data["runs"]
    assert [r["lr"] for r in runs] == [0.01, 0.1, 0.9, 1.1]
    assert [r["behaviour"] for r in runs] == ["converges", "converges", "oscillates", "diverges"]
    assert [r["stopped"] for r in runs] == ["eps", "eps", "eps", "diverged"]
    for run in runs:  # every number behind the picture follows w_k = (1 - 2 lr)^k * 5
        factor = 1 - 2 * Fraction(str(run["lr"]))
        for row in run["iterations"]:
            assert row["point"]["w"] == pytest.approx(float(5 * factor ** row["k"]), rel=1e-9)
            assert math.isfinite(row["loss"])


def test_divergence_is_a_message_not_a_table_of_nan(capsys):
    assert main(["descend", "w^2 + 12", "--start", "w=5", "--lr", "1.1"]) == 0
    out = capsys.readouterr().out
    assert "nan" not in out.lower() and "inf" not in out.lower()
    assert "Diverged" in out


@pytest.mark.parametrize(
    "expr, start, lr, code",
    [("exp(w^2)", "w=3", "1", "descent.stopped-overflow"), ("ln w", "w=1", "2", "descent.stopped-undefined")],
    ids=["overflow", "leaves-domain"],
)
def test_overflow_and_domain_give_a_sentence(capsys, expr, start, lr, code):
    for lang in ("en", "ru"):
        assert main(["descend", expr, "--start", start, "--lr", lr, "--lang", lang]) == 0
        out = capsys.readouterr().out
        assert message(code, lang, k=1) in out
        assert "nan" not in out.lower() and "inf" not in out.lower()


def test_study_text_in_russian(capsys):
    assert main(["descend", "w^2 + 12", "--start", "w=5", "--lr", "0.1,1.1", "--lang", "ru"]) == 0
    out = capsys.readouterr().out
    assert "сходится" in out and "расходится" in out and "скорость" in out


def test_contour_plot_and_path_to_the_minimum(capsys, tmp_path):
    png = tmp_path / "contour.png"
    code, data = run_json(capsys, "(x-3)^2 + 2(y+2)^2", "--start", "x=0,y=0", "--eps", "1e-12", "--plot", str(png))
    assert code == 0
    assert_png(png)
    final = data["final"]["point"]
    assert final["x"] == pytest.approx(3, abs=1e-5) and final["y"] == pytest.approx(-2, abs=1e-5)


def test_plot_lines_carry_the_trace_numbers():
    from derivtutor.descent.lab import descend
    from derivtutor.descent.plots import traces_figure

    trace = descend("w^2 + 12", {"w": 5}, lr=0.1, eps=1e-9)
    fig = traces_figure([trace])
    curve_axes, loss_axes = fig.axes
    path = next(line for line in curve_axes.lines if line.get_label().startswith("lr = 0.1"))
    xs = list(path.get_xdata())
    assert xs == pytest.approx([float(seed_witness(k)) for k in range(len(xs))], rel=1e-12)
    losses = next(line for line in loss_axes.lines if line.get_label().startswith("lr = 0.1"))
    assert list(losses.get_ydata()) == pytest.approx([float(seed_witness(k) ** 2 + 12) for k in range(len(trace.steps))])


def test_data_mode_json_and_plot(capsys, tmp_path):
    png = tmp_path / "curves.png"
    code, data = run_json(capsys, "--data", "linear", "--n", "120", "--epochs", "6", "--plot", str(png))
    assert code == 0
    assert_png(png)
    assert [r["variant"] for r in data["runs"]] == ["full", "sgd", "mini"]
    assert [r["updates_per_epoch"] for r in data["runs"]] == [1, 120, 4]
    assert all(len(r["loss"]) == 7 and r["loss"][-1] < r["loss"][0] for r in data["runs"])


def test_data_mode_text_and_blowup(capsys):
    assert main(["descend", "--data", "logistic", "--epochs", "2", "--batch", "full,8"]) == 0
    out = capsys.readouterr().out
    assert "Logistic regression" in out and "mini-batch 8" in out
    assert main(["descend", "--data", "linear", "--lr", "5", "--epochs", "4"]) == 0
    out = capsys.readouterr().out
    assert "diverged" in out and "inf" not in out and "nan" not in out


def hide_matplotlib(monkeypatch):
    for name in ("matplotlib", "matplotlib.figure", "matplotlib.backends", "matplotlib.backends.backend_agg"):
        monkeypatch.setitem(__import__("sys").modules, name, None)  # makes `import` raise ImportError


@pytest.mark.parametrize(
    "argv",
    [["w^2 + 12", "--start", "w=5"], ["--data", "linear", "--epochs", "2"]],
    ids=["descent", "data"],
)
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_missing_matplotlib_names_the_plot_extra(capsys, monkeypatch, tmp_path, argv, lang):
    hide_matplotlib(monkeypatch)
    png = tmp_path / "never.png"
    assert main(["descend", *argv, "--plot", str(png), "--lang", lang]) == 2
    err = capsys.readouterr().err
    assert 'pip install "derivtutor[plot]"' in err
    assert err.strip() == message("descent.plot-unavailable", lang)
    assert not png.exists()


def test_missing_matplotlib_without_plot_still_works(capsys, monkeypatch):
    hide_matplotlib(monkeypatch)
    assert main(["descend", "w^2 + 12", "--start", "w=5"]) == 0


@pytest.mark.parametrize(
    "argv, code",
    [(["w^2+", "--start", "w=1"], None),
     (["w^2", "--start", "v=1"], "descent.start-unknown"),
     (["x*y", "--start", "x=1"], "descent.start-missing"),
     (["w^2", "--start", "w"], "descent.start-syntax"),
     (["w^2", "--start", "w=abc"], "descent.bad-number"),
     (["w^2", "--start", "w=1", "--lr", "-1"], "descent.bad-rate"),
     (["w^2", "--start", "w=1", "--lr", "fast"], "descent.bad-number"),
     (["w^2", "--start", "w=1", "--max-iter", "10000000"], "descent.max-iter-limit"),
     (["w^2", "--start", "w=1", "--lr", ",".join(["0.1"] * 9)], "descent.too-many-rates"),
     ([], "descent.needs-expr"),
     (["w^2", "--data", "linear"], "descent.expr-and-data"),
     (["--data", "linear", "--batch", "0"], "descent.data-bad-batch"),
     (["--data", "linear", "--n", "0"], "descent.data-bad-size"),
     (["--data", "quadratic"], None)],
    ids=["parse-error", "unknown-var", "missing-var", "no-equals", "bad-start", "negative-rate", "word-rate",
         "huge-max-iter", "too-many-rates", "nothing", "both", "zero-batch", "zero-n", "unknown-data"],
)
def test_invalid_input_exits_2_with_a_catalogued_error(capsys, argv, code):
    assert main(["descend", *argv, "--json"]) == 2
    out = capsys.readouterr().out
    if code is not None:
        assert json.loads(out)["error"]["code"] == code


def test_parse_error_shows_a_caret(capsys):
    assert main(["descend", "w^2 + * 3", "--start", "w=1"]) == 2
    err = capsys.readouterr().err
    assert "^" in err.splitlines()[1]


def test_start_names_and_values_go_through_the_parser(capsys):
    code, data = run_json(capsys, "w_1^2 + 3", "--start", "w_{1}=1/2", "--lr", "1/4", "--max-iter", "3")
    assert code == 0
    assert [row["point"]["w1"] for row in data["iterations"]] == [0.5, 0.25, 0.125, 0.0625]


def test_stop_rule_fooled_at_lr_1_is_pointed_out(capsys):
    # lr = 1 maps w to -w: L(5) = L(-5), so |L_1 - L_0| = 0 < eps while the gradient is still 10 in size
    assert main(["descend", "w^2 + 12", "--start", "w=5", "--lr", "1"]) == 0
    out = capsys.readouterr().out
    assert message("descent.stop-rule-fooled", "en", norm="10") in out
    assert main(["descend", "w^2 + 12", "--start", "w=5", "--lr", "0.1"]) == 0
    assert "Note:" not in capsys.readouterr().out


def test_three_variables_plot_the_loss_curve(capsys, tmp_path):
    png = tmp_path / "three.png"
    code, data = run_json(capsys, "x^2 + y^2 + z^2", "--start", "x=1", "--start", "y=2,z=3", "--plot", str(png))
    assert code == 0
    assert_png(png)
    # each coordinate shrinks by 1 - 2 * 0.1 per step
    for row in data["iterations"]:
        assert row["point"] == pytest.approx({n: v * 0.8 ** row["k"] for n, v in {"x": 1, "y": 2, "z": 3}.items()})


def test_steps_flag_explains_each_partial_derivative(capsys):
    from derivtutor.steps.engine import differentiate

    assert main(["descend", "(x-3)^2 + 2(y+2)^2", "--start", "x=0,y=0", "--steps", "--lang", "ru"]) == 0
    out = capsys.readouterr().out
    for name in ("x", "y"):
        assert differentiate("(x-3)^2 + 2(y+2)^2", name).to_text("ru", "full") in out
