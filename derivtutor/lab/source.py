"""A submission's Python source: a .py file as it is, or a notebook's code cells.

Notebook cells are read with nbformat. IPython's own syntax is not Python, so
line magics (``%matplotlib inline``) and shell lines (``!pip install ...``) are
dropped, and so is a whole cell whose first line is a cell magic other than
the timing ones (``%%bash`` runs no Python). Each cell keeps its lines, and the
source records where every cell starts, so an error's line can be found.

>>> text = '{"cells": [{"cell_type": "code", "id": "c1", "metadata": {}, "source": "%matplotlib inline\\\\nx = 1", "outputs": [], "execution_count": null}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
>>> code_from_text(text, "lab.ipynb")
'x = 1\\n'
"""
from __future__ import annotations

import json
from pathlib import Path

#: Longest submission read at all (a notebook with embedded images can be large).
MAX_BYTES = 20 * 2**20
#: Cell magics whose cell is still Python once the magic line is dropped.
PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture")


class SubmissionError(ValueError):
    """A submission that cannot be read: missing, too large, not a notebook, not text."""


def _is_notebook(text: str, name: str) -> bool:
    if name.endswith(".ipynb"):
        return True
    stripped = text.lstrip()
    return stripped.startswith("{") and '"cells"' in stripped[:4000] + stripped[-4000:]


def _cell_code(source: str) -> str:
    lines = source.splitlines()
    first = lines[0].strip() if lines else ""
    if first.startswith("%%") and not first.startswith(PYTHON_CELL_MAGICS):
        return ""
    kept = [line for line in lines if not line.lstrip().startswith(("%", "!"))]
    return "\n".join(kept) + "\n" if kept else ""


def notebook_code(text: str) -> str:
    """The code cells of a notebook (JSON text), magics and shell lines dropped."""
    import nbformat

    try:
        notebook = nbformat.reads(text, as_version=4)
    except (ValueError, KeyError, TypeError, json.JSONDecodeError, AttributeError) as exc:
        raise SubmissionError(f"not a readable notebook ({type(exc).__name__})") from None
    cells = [_cell_code(cell.source) for cell in notebook.cells if cell.cell_type == "code"]
    return "".join(cell for cell in cells if cell.strip())


def code_from_text(text: str, name: str = "submission.py") -> str:
    """The Python source of a submission given as text (a notebook's JSON or a script)."""
    if "\x00" in text:
        raise SubmissionError("the file is not text")
    return notebook_code(text) if _is_notebook(text, name) else text


def read_submission(path) -> str:
    """The Python source of the submission file at ``path`` (.py or .ipynb)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(str(path))
    if path.stat().st_size > MAX_BYTES:
        raise SubmissionError(f"the file is larger than {MAX_BYTES // 2**20} MB")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SubmissionError("the file is not UTF-8 text") from None
    return code_from_text(text, path.name)
