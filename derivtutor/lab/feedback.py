"""A lab report as text for the student, as JSON, and as Gradescope's results.json.

>>> from derivtutor.lab.check import LabReport, TestResult
>>> report = LabReport("demo", [TestResult("runs", "the code runs", 1.0, 1.0, True, "Fine.", "lab.runs")])
>>> print(render_text(report))
[passed] the code runs: 1/1
    Fine.
Total: 1 / 1
>>> gradescope_results(report)["tests"][0]["status"]
'passed'
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from derivtutor.catalogue import format_points, message


def render_text(report, lang: str = "en") -> str:
    """One block per test (status, name, points, feedback), then conventions, output and the total."""
    lines = []
    for test in report.tests:
        status = message("lab.status-passed" if test.passed else "lab.status-failed", lang)
        lines.append(f"[{status}] {test.name}: {format_points(test.points)}/{format_points(test.max_points)}")
        lines.append(f"    {test.feedback}")
    if report.conventions:
        lines.append(message("lab.conventions", lang))
        lines += [f"    {sentence}" for sentence in report.conventions]
    if report.output.strip():
        lines.append(message("lab.output", lang))
        lines += [f"    {line}" for line in report.output.rstrip().splitlines()[:40]]
    if report.sandbox.get("note") and not report.sandbox.get("user_dropped"):
        lines.append(report.sandbox["note"])  # the grader says when the code ran with its own privileges
    lines.append(message("lab.total", lang, score=format_points(report.total), max=format_points(report.max_total)))
    return "\n".join(lines)


def gradescope_results(report, lang: str = "en") -> dict:
    """Gradescope's results.json: the score, one test per lab test, the conventions as output."""
    tests = [{"name": test.name, "score": test.points, "max_score": test.max_points,
              "status": "passed" if test.passed else "failed", "output": test.feedback, "visibility": "visible"}
             for test in report.tests]
    output = "\n".join([message("lab.conventions", lang)] + report.conventions) if report.conventions else ""
    return {"score": report.total, "max_score": report.max_total, "tests": tests, "output": output,
            "visibility": "visible", "stdout_visibility": "hidden"}


def write_json(path, data) -> None:
    """Write ``data`` as JSON to ``path`` whole or not at all (a temporary file, then a rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
