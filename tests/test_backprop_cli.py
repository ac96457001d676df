"""derivtutor backprop: JSON shape, formats, exit codes, and LaTeX that pdflatex compiles."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from derivtutor.catalogue import message
from derivtutor.cli import main


def run_json(capsys, *argv):
    code = main(["backprop", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_json_has_the_documented_shape(capsys):
    code, doc = run_json(capsys, "--layers", "2,3,1", "--check", "--scalar")
    assert code == 0
    assert doc["network"]["layers"] == [2, 3, 1] and doc["network"]["activations"] == ["sigmoid", "sigmoid"]
    assert set(doc["gradients"]) == {"V", "v", "U", "u"}
    assert all(set(g) >= {"latex", "text"} for g in doc["gradients"].values())
    assert [f["name"] for f in doc["forward"]] == ["p", "y", "q", "z", "E"]
    check = doc["check"]
    assert check["symbolic_verified"] is True
    assert check["max_rel_error_numpy"] <= 1e-10 and check["max_rel_error_fd"] <= 1e-6
    assert set(check["per_parameter"]) == {"V", "v", "U", "u"}
    assert doc["scalar"]["V"]["text"].startswith("dE/dV = dE/dz · dz/dq · dq/dy · dy/dp · dp/dV")


def test_check_key_appears_only_with_check(capsys):
    _, doc = run_json(capsys)
    assert "check" not in doc and "scalar" not in doc


@pytest.mark.parametrize("argv, layers", [
    (["--layers", "4,8,3", "--activation", "tanh", "--loss", "ce", "--l2", "0.01"], [4, 8, 3]),
    (["--layers", "4,6,6,3", "--activation", "relu"], [4, 6, 6, 3]),
    (["--layers", "3,4,4,4,2", "--activation", "sigmoid,tanh,relu", "--output", "linear", "--seed", "7"], [3, 4, 4, 4, 2]),
], ids=["tanh-ce-l2", "relu-2-hidden", "mixed-3-hidden"])
def test_requested_networks_pass_the_check(capsys, argv, layers):
    code, doc = run_json(capsys, *argv, "--check")
    assert code == 0 and doc["network"]["layers"] == layers and doc["check"]["passed"]


@pytest.mark.parametrize("fmt, marker", [("text", "dE/dV = dE/dp x^T"), ("markdown", "$$"),
                                         ("latex", r"\begin{align*}")], ids=["text", "markdown", "latex"])
def test_formats(capsys, fmt, marker):
    assert main(["backprop", "--format", fmt]) == 0
    assert marker in capsys.readouterr().out


def test_russian_headings(capsys):
    main(["backprop", "--lang", "ru", "--check"])
    out = capsys.readouterr().out
    assert message("backprop.heading.backward", "ru") in out and "Численная проверка пройдена" in out


@pytest.mark.parametrize("argv, code", [
    (["--layers", "2,x"], "backprop.bad-layers"),
    (["--layers", "2"], "backprop.bad-layers"),
    (["--activation", "swish"], "backprop.bad-activation"),
    (["--output", "softmax"], "backprop.softmax-ce"),
    (["--layers", "2,3,2", "--loss", "ce", "--scalar"], "backprop.scalar-ce"),
    (["--layers", "2,100000,1", "--check"], "backprop.bad-layers"),
    (["--layers", "2,2,1", "--names", "x,p,y,q,z,V,v,U,u,__import__('os')"], "backprop.bad-name"),
    (["--layers", "2,2,1", "--names", "x,p,y,q,z,V,v,V,u,l"], "backprop.bad-name"),
    (["--layers", "2,2,1", "--names", "x,p,y"], "backprop.names-count"),
], ids=["not-a-number", "one-width", "activation", "softmax-mse", "scalar-ce", "too-wide", "hostile-name",
        "duplicate-name", "names-count"])
def test_invalid_input_exits_2_with_a_code(capsys, argv, code):
    exit_code, doc = run_json(capsys, *argv)
    assert exit_code == 2 and doc["error"]["code"] == code and doc["error"]["message"]


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
@pytest.mark.parametrize("argv", [
    ["--scalar", "--check"],
    ["--layers", "4,8,3", "--activation", "tanh", "--loss", "ce", "--l2", "0.01", "--check", "--lang", "ru"],
    ["--layers", "4,6,6,3", "--activation", "relu", "--scalar"],
], ids=["seed-004", "tanh-ce-l2-ru", "relu-scalar"])
def test_standalone_latex_compiles(capsys, tmp_path, argv):
    assert main(["backprop", *argv, "--format", "latex", "--standalone"]) == 0
    (tmp_path / "doc.tex").write_text(capsys.readouterr().out, encoding="utf-8")
    result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                            cwd=tmp_path, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stdout.decode(errors="replace")[-2000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 0
