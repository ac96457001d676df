"""What a derivation check returns: one verdict for the whole, one for every line.

``DerivationResult.to_dict()`` is the JSON of ``derivtutor check --derivation``::

    {"verdict", "score", "first_error", "lines": [{"line", "text", "verdict",
     "diagnosis", "message", ...}], "answer", "expected", ...}

Line verdicts: ``correct`` (follows from the line before; the first line: is the
derivative asked for), ``incorrect`` (with a counterexample), ``invalid`` (cannot
be read: ``column`` says where), ``undecided`` (neither proved nor refuted, or out
of time) and ``unchecked`` (not compared, because another line is invalid).
"""
from __future__ import annotations

from dataclasses import dataclass, field

LINE_VERDICTS = ("correct", "incorrect", "invalid", "undecided", "unchecked")


@dataclass
class LineResult:
    """One line of the derivation and what the checker found in it."""

    line: int
    text: str
    verdict: str = "unchecked"
    diagnosis: list[str] = field(default_factory=list)
    message: str = ""
    column: int | None = None            # 1-based, for an invalid line
    counterexample: dict | None = None
    terms: tuple = field(default=(), repr=False)   # the parsed terms (Written), for the LaTeX report
    continued: bool = False                         # the line starts with '='

    def to_dict(self) -> dict:
        return {"line": self.line, "text": self.text, "verdict": self.verdict,
                "diagnosis": list(self.diagnosis), "message": self.message,
                "column": self.column, "counterexample": self.counterexample}


@dataclass
class DerivationResult:
    """The whole derivation: ``verdict`` correct | incorrect | invalid, as for an answer."""

    verdict: str
    score: float | None
    first_error: int | None
    lines: list[LineResult]
    answer: str | None = None            # the final answer (after the last '=') as typed
    expected: str | None = None          # the expected final answer, course notation
    diagnosis: list[str] = field(default_factory=list)
    message: str = ""
    final_correct: bool | None = None
    asked: str = ""                      # the derivative asked for, e.g. (tg(x^2))'
    expected_latex: str | None = None
    counterexample: dict | None = None   # the first wrong line's

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "score": self.score, "first_error": self.first_error,
                "lines": [line.to_dict() for line in self.lines], "answer": self.answer,
                "expected": self.expected, "diagnosis": list(self.diagnosis), "message": self.message,
                "final_correct": self.final_correct}
