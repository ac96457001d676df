"""What a student sees in Gradescope, built from real submission folders and the real CLI:
no file outside the submission is read, every unreadable line is a visible test, partial
credit says how much, and each verdict is said once in the chosen language."""
from __future__ import annotations

import json
import os
import re

import pytest

from derivtutor.cli import main
from derivtutor.course.bank import load_exercises

BANK = load_exercises()
SECRET = "table-sin: cos x\nSECRET-LINE-7f3a: do not show\n"


def run_gradescope(tmp_path, files: dict, *extra) -> tuple[int, dict]:
    submission = tmp_path / "submission"
    submission.mkdir(exist_ok=True)
    for name, content in files.items():
        target = submission / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(target)
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    results = tmp_path / "results" / "results.json"
    # a generous time limit: the verdicts, not the speed of a shared machine, are under test
    code = main(["gradescope", "--submission", str(submission), "--results", str(results), "--timeout", "60", *extra])
    return code, json.loads(results.read_text(encoding="utf-8"))


def _outside(tmp_path):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir(exist_ok=True)
    secret.write_text(SECRET, encoding="utf-8")
    return secret


LINKS = [
    ("answers-link-to-file", lambda tmp: {"answers.txt": lambda t: os.symlink(_outside(tmp), t)}),
    ("only-txt-is-a-link", lambda tmp: {"work.txt": lambda t: os.symlink(_outside(tmp), t)}),
    ("link-to-a-folder", lambda tmp: {"sub": lambda t: os.symlink(_outside(tmp).parent, t)}),
    ("passwd", lambda tmp: {"answers.txt": lambda t: os.symlink("/etc/passwd", t)}),
]


@pytest.mark.parametrize("files", [c[1] for c in LINKS], ids=[c[0] for c in LINKS])
def test_a_link_is_never_followed(tmp_path, files):
    code, data = run_gradescope(tmp_path, files(tmp_path))
    shown = json.dumps(data)
    assert code == 2 and data["score"] == 0.0
    assert "SECRET-LINE" not in shown and "root:" not in shown


def test_only_the_first_megabyte_is_read_and_the_rest_is_reported(tmp_path):
    text = "table-sin: cos x\n" + "# padding\n" * 120_000 + "table-tg: 1/cos^2 x\n"
    code, data = run_gradescope(tmp_path, {"answers.txt": text}, "--assignment", "table-sin,table-tg")
    assert code == 0
    scores = {t["name"].split(":")[0]: t["score"] for t in data["tests"]}
    assert scores["table-sin"] == 1.0 and scores["table-tg"] == 0.0
    assert any("could not be read" in t["output"] for t in data["tests"])


def test_every_unreadable_line_is_a_visible_test(tmp_path):
    answers = "table-sin: cos x\nno colon here\n".encode() + b"table-tg: \xff\xfe\x98\n" + b"chain-tg-x2 [mathml]: x\n"
    code, data = run_gradescope(tmp_path, {"answers.txt": answers},
                                "--assignment", "table-sin,table-tg,chain-tg-x2")
    assert code == 0
    unreadable = [t for t in data["tests"] if "could not be read" in t["output"]]
    assert sorted(re.search(r"line \d+(?= could not be read)", t["output"])[0] for t in unreadable) == \
        ["line 2", "line 3", "line 4"]
    assert all(t["visibility"] == "visible" and t["max_score"] == 0 and t["status"] == "failed" for t in unreadable)
    assert data["score"] == sum(t["score"] for t in data["tests"]) == 1.0


@pytest.mark.parametrize("lang, verdicts", [("en", ("Incorrect.", "Not correct.")), ("ru", ("Неверно.",))],
                         ids=["en", "ru"])
def test_partial_credit_is_shown_and_feedback_said_once(tmp_path, lang, verdicts):
    # chain-tg-x2 gives partial credit when the inner derivative is missing (its bank file says how much).
    fraction = BANK["chain-tg-x2"].partial_credit["missing-inner-derivative"]
    points = BANK["chain-tg-x2"].points
    code, data = run_gradescope(tmp_path, {"answers.txt": "chain-tg-x2: 1/cos^2(x^2)\ntable-sin: sin x\n"},
                                "--assignment", "chain-tg-x2,table-sin", "--lang", lang)
    assert code == 0
    partial, wrong = data["tests"]
    assert partial["score"] == fraction * points
    of = {"en": "of", "ru": "из"}[lang]
    assert partial["output"].splitlines()[1].startswith(f"{fraction * points:g} {of} {points:g}: ")
    for test in data["tests"]:
        assert sum(test["output"].count(v) for v in verdicts) <= 1
