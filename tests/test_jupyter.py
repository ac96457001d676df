"""Rich display: every result a notebook shows converts with nbconvert, with LaTeX MathJax can render."""
from __future__ import annotations

import re

import pytest

nbformat = pytest.importorskip("nbformat")
nbconvert = pytest.importorskip("nbconvert")

from derivtutor.backprop.gradcheck import check_gradients  # noqa: E402
from derivtutor.backprop.network import NetworkSpec, derive_backprop  # noqa: E402
from derivtutor.checking.checker import check_answer  # noqa: E402
from derivtutor.descent.lab import descend  # noqa: E402
from derivtutor.input.parsing import parse  # noqa: E402
from derivtutor.steps.engine import differentiate  # noqa: E402

#: What MathJax cannot typeset (text-mode LaTeX): none of it may reach a notebook.
NOT_MATHJAX = (r"\parbox", r"\begin{tabular}", r"\textasciicircum", r"\raggedright", r"\textbackslash",
               r"\section", r"\documentclass")
SPEC = NetworkSpec((2, 3, 1), ("sigmoid", "sigmoid"))


def _objects():
    return {
        "check": check_answer("tg x", "1/sin(x)^2", lang="ru"),
        "descent": descend("w^2 + 12", {"w": 5}, lr=0.9),
        "backprop": derive_backprop(SPEC),
        "gradcheck": check_gradients(SPEC),
        "derivation": differentiate(parse("ln cos^2(sin sqrt x)")),
    }


@pytest.fixture(scope="module")
def objects():
    return _objects()


@pytest.mark.parametrize("name", ["check", "descent", "backprop", "gradcheck", "derivation"])
def test_reprs_are_mathjax(objects, name):
    obj = objects[name]
    latex, markdown = obj._repr_latex_(), obj._repr_markdown_()
    assert latex.startswith("$$") and latex.rstrip().endswith("$$")
    assert not [c for c in NOT_MATHJAX if c in latex or c in markdown]
    assert latex.count("{") == latex.count("}")
    assert "Abs(" not in markdown and "Abs(" not in latex


@pytest.mark.parametrize("name", ["check", "descent", "gradcheck"])
def test_tables_have_html(objects, name):
    html = objects[name]._repr_html_()
    assert html.startswith("<table>") and "<td>" in html


def test_notebook_converts(objects):
    """A notebook holding every display converts to HTML with the maths and tables in it."""
    nb = nbformat.v4.new_notebook()
    for name, obj in objects.items():
        data = {"text/plain": name, "text/latex": obj._repr_latex_(), "text/markdown": obj._repr_markdown_()}
        if hasattr(obj, "_repr_html_"):
            data["text/html"] = obj._repr_html_()
        cell = nbformat.v4.new_code_cell(source=name)
        cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
        nb.cells.append(cell)
    nbformat.validate(nb)
    body, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    assert "MathJax" in body or "mathjax" in body
    assert "<table>" in body and r"\parbox" not in body
    assert re.search(r"tg|\\operatorname\{tg\}", body)  # the Russian check speaks the course's notation
