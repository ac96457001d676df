"""Identity derivations: every step checked independently, chains found or honestly refused."""
from __future__ import annotations

import json
import random
import shutil
import subprocess

import pytest
import sympy
from sympy import Derivative, Symbol, cos, exp, sin, tan, tanh

from derivtutor.cli import main
from derivtutor.functions import sigmoid
from derivtutor.identity.derive import prove_identity, softmax_identity
from derivtutor.identity.display import value

x = Symbol("x")
s = sigmoid(x)

IDENTITIES = [
    ("sigmoid", s, s * (1 - s), ()),
    ("tanh", tanh(x), 1 - tanh(x) ** 2, ()),
    ("tg-cos", tan(x), 1 / cos(x) ** 2, ()),
    ("tg-via-cos", tan(x), 1 + tan(x) ** 2, (1 / cos(x) ** 2,)),
    ("tg-square", tan(x), 1 + tan(x) ** 2, ()),
    ("power", x**3, 3 * x**2, ()),
]


def numeric(expr, definitions=(), seed=3):
    """expr at a random point, via SymPy's own differentiation of any Derivative (the witness)."""
    rng = random.Random(seed)
    expr = expr.doit().xreplace(dict(definitions)).rewrite(exp)
    point = {sym: sympy.Float(rng.uniform(0.2, 0.8)) for sym in expr.free_symbols}
    return complex(expr.subs(point).evalf(30))


def assert_chain_is_sound(proof):
    """Every displayed form equals its value, and every step equals the previous one and the left side."""
    left = value(proof.start)
    for step in proof.steps:
        assert abs(numeric(value(step.display), proof.definitions) - numeric(step.value, proof.definitions)) < 1e-9
        assert abs(numeric(step.value, proof.definitions) - numeric(left, proof.definitions)) < 1e-9, step.kind


@pytest.mark.parametrize("name, lhs, rhs, via", IDENTITIES, ids=[i[0] for i in IDENTITIES])
def test_derivative_identities_are_found_and_sound(name, lhs, rhs, via):
    proof = prove_identity(lhs, rhs, x, derivative=True, via=via)
    assert proof.found and proof.sides_equal
    assert proof.steps[-1].value == rhs
    assert_chain_is_sound(proof)
    for middle in via:
        assert middle in [step.value for step in proof.steps]


def test_sigmoid_follows_the_seed_derivation():
    kinds = [step.kind for step in prove_identity(s, s * (1 - s), x, derivative=True).steps]
    assert kinds == ["definition-sigmoid", "differentiate", "combine", "split-product", "add-subtract-one",
                     "regroup", "split-fraction", "cancel", "recognise-sigmoid"]


@pytest.mark.parametrize("n, i, j", [(2, 1, 1), (2, 1, 2), (3, 1, 1), (3, 1, 2), (3, 3, 2), (4, 2, 4)])
def test_softmax_jacobian_entries(n, i, j):
    proof = softmax_identity(n, i, j)
    assert proof.found
    a = [Symbol(f"a{k}") for k in range(1, n + 1)]
    S = sum(exp(ak) for ak in a)
    witness = Derivative(exp(a[i - 1]) / S, a[j - 1])
    assert abs(numeric(proof.steps[-1].value, proof.definitions) - numeric(witness)) < 1e-9
    assert_chain_is_sound(proof)


@pytest.mark.parametrize("lhs, rhs, derivative, equal", [
    (sin(x), cos(x) + 1, True, False),
    (sin(x) ** 2, 1 - cos(x) ** 2, False, True),
    (x**2, 2 * x + 1, True, False),
], ids=["wrong-derivative", "beyond-the-moves", "off-by-one"])
def test_no_chain_means_no_steps(lhs, rhs, derivative, equal):
    proof = prove_identity(lhs, rhs, x, derivative=derivative)
    assert not proof.found and proof.steps == ()
    assert proof.sides_equal is equal
    assert ("not equal" in proof.to_text()) is not equal


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("argv", [
    ["sigma(x)'", "sigma(x)(1 - sigma(x))"],
    ["d/dx tanh(x)", "1 - tanh(x)^2"],
    ["tg(x)", "1/cos^2 x", "1 + tg^2 x", "--diff"],
    ["--softmax", "3", "--i", "2", "--j", "3"],
], ids=["sigmoid", "tanh", "tg", "softmax"])
def test_identity_command_finds_the_chain(capsys, argv, lang):
    assert main(["identity", *argv, "--lang", lang, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["found"] and data["steps"] and all(step["reason"] for step in data["steps"])


def test_identity_command_exit_codes(capsys):
    assert main(["identity", "sin(x)'", "cos(x) + 1"]) == 1
    assert "no chain" in capsys.readouterr().out.lower()
    assert main(["identity", "sin(x", "x"]) == 2
    assert capsys.readouterr().err.rstrip().endswith("^")
    assert main(["identity", "x"]) == 2
    assert main(["identity", "--softmax", "3", "--i", "5"]) == 2
    assert main(["identity", "x y", "y"]) == 2


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_identity_latex_compiles(tmp_path, lang):
    doc = prove_identity(s, s * (1 - s), x, derivative=True).to_latex(lang, standalone=True)
    extra = softmax_identity(3, 1, 2).to_latex(lang) + "\n" + prove_identity(
        tan(x), 1 + tan(x) ** 2, x, derivative=True, via=(1 / cos(x) ** 2,)).to_latex(lang)
    (tmp_path / "doc.tex").write_text(doc.replace("\\end{document}", extra + "\n\\end{document}"), encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout[-2000:]
