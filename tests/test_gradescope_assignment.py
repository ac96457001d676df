"""Gradescope results: answers outside the assignment are shown but never counted."""
from __future__ import annotations

import json

from derivtutor.cli import main


def test_answers_outside_the_assignment_do_not_count(tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "answers.txt").write_text(
        "table-sin: cos x\n"            # in the assignment, correct
        "table-tg: 1/sin^2 x\n"         # in the assignment, wrong
        "chain-tg-x2: 2x/cos^2(x^2)\n"  # correct, but not in the assignment
        , encoding="utf-8")
    results = tmp_path / "results.json"
    code = main(["gradescope", "--submission", str(submission), "--results", str(results),
                 "--assignment", "table-sin,table-tg"])
    assert code == 0
    data = json.loads(results.read_text(encoding="utf-8"))
    by_name = {t["name"].split(":")[0]: t for t in data["tests"]}
    assert data["score"] == sum(t["score"] for t in data["tests"]) == 1.0
    assert by_name["chain-tg-x2"]["max_score"] == 0.0 and by_name["chain-tg-x2"]["score"] == 0.0
    assert by_name["table-tg"]["status"] == "failed" and by_name["table-sin"]["status"] == "passed"
