"""The class report: its numbers recounted from the items by hand, its files written
whole, and its HTML page rendered by headless Chromium into a picture that is not blank."""
from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from derivtutor.cli import main
from derivtutor.grading.grader import grade
from derivtutor.grading.reports import items_json
from derivtutor.grading.submissions import read_csv_text

CLASS = """student,exercise,answer
ivanova,table-sin,cos x
petrov,table-sin,-cos x
sidorov,table-sin,-cos(x)
kuznetsova,table-sin,cos(
smirnov,table-sin,sin x
ivanova,table-cos,-sin x
petrov,table-cos,sin x
sidorov,table-cos,sin(x)
kuznetsova,table-cos,  sin  x
smirnov,table-cos,-sin x
smirnov,table-cos,sin x
ivanova,table-const,0
petrov,table-const,c
"""


@pytest.fixture(scope="module")
def items():
    rows, problems = read_csv_text(CLASS, "class.csv")
    return json.loads(items_json(grade(rows, problems, jobs=1, progress=False)))


def _by_hand(items: dict, exercise: str) -> dict:
    """The witness: the counts, from the raw items, without the report's code."""
    mine = [i for i in items["items"] if i["exercise"] == exercise and i["status"] != "superseded"]
    # graded: every answer but one that could not be read or decided (its verdict is invalid)
    graded = [i for i in mine if i["verdict"] != "invalid"]
    wrong = Counter()
    for i in mine:
        if i["verdict"] == "incorrect":
            wrong["".join(i["answer"].split()).replace("(x)", "x")] += 1
    return {"answers": len(mine), "graded": len(graded), "correct": sum(i["verdict"] == "correct" for i in mine),
            "invalid": sum(i["verdict"] == "invalid" for i in mine),
            "mean": sum(i["score"] for i in graded) / len(graded),
            "codes": Counter(c for i in mine if i["verdict"] == "incorrect" for c in i["diagnosis"]),
            "wrong": sorted(wrong.values(), reverse=True),
            "short": sorted(i["student"] for i in graded if i["verdict"] != "correct")}


def test_report_numbers_equal_the_counts_over_the_items(items, tmp_path):
    assert main(["report", _save(items, tmp_path), "--out", str(tmp_path / "r")]) == 0
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert [row["id"] for row in report["exercises"]] == [e["id"] for e in items["exercises"]]
    for row in report["exercises"]:
        hand = _by_hand(items, row["id"])
        assert (row["answers"], row["graded"]) == (hand["answers"], hand["graded"])
        assert row["share_correct"] == pytest.approx(hand["correct"] / hand["answers"])
        assert row["share_invalid"] == pytest.approx(hand["invalid"] / hand["answers"])
        assert row["mean_score"] == pytest.approx(hand["mean"])
        assert Counter({d["code"]: d["count"] for d in row["diagnoses"]}) == hand["codes"]
        assert sorted((w["count"] for w in row["wrong_answers"]), reverse=True) == hand["wrong"]
        assert sorted(s["student"] for s in row["hardest_students"]) == hand["short"]
    cos = next(row for row in report["exercises"] if row["id"] == "table-cos")
    # sin x, sin(x) and "  sin  x" are one wrong answer; smirnov's last row (sin x) supersedes his first.
    assert cos["wrong_answers"][0]["count"] == 4 and cos["graded"] == 5
    sin = next(row for row in report["exercises"] if row["id"] == "table-sin")
    # kuznetsova's "cos(" cannot be read: not graded, so the mean is over the other four
    assert (sin["answers"], sin["graded"], sin["not_graded"]) == (5, 4, 1) and sin["mean_score"] == 0.25


def _save(items: dict, folder: Path) -> str:
    path = folder / "items.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("lang, heading", [("en", "Class report"), ("ru", "Отчёт по группе")])
def test_grade_report_writes_three_whole_files(tmp_path, lang, heading):
    (tmp_path / "class.csv").write_text(CLASS, encoding="utf-8")
    out = tmp_path / "report"
    assert main(["grade", str(tmp_path / "class.csv"), "--jobs", "1", "--out", str(tmp_path / "g.csv"),
                 "--report", str(out), "--lang", lang]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json", "report.md"]
    assert (out / "report.md").read_text().startswith(f"# {heading}")
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 2 and "http" not in page and "<script" not in page
    assert json.loads((out / "report.json").read_text())["students"] == 5


def test_unreadable_items_are_a_usage_error(tmp_path, capsys):
    (tmp_path / "bad.json").write_text("[1, 2]", encoding="utf-8")
    assert main(["report", str(tmp_path / "bad.json"), "--out", str(tmp_path / "r"), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "report.bad-items"
    assert not (tmp_path / "r").exists()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
def test_the_html_report_renders_in_chromium(items, tmp_path):
    numpy = pytest.importorskip("numpy")
    from matplotlib import image

    assert main(["report", _save(items, tmp_path), "--out", str(tmp_path / "r")]) == 0
    shot = tmp_path / "shot.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={shot}", "--window-size=1000,1400", (tmp_path / "r" / "report.html").as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert shot.is_file()
    pixels = numpy.asarray(image.imread(shot))[..., :3]
    # Not blank: many pixels differ from the background, and the charts bring colour.
    background = pixels[0, 0]
    assert (numpy.abs(pixels - background).sum(axis=-1) > 0.1).mean() > 0.02
    colourful = (pixels.max(axis=-1) - pixels.min(axis=-1)) > 0.3
    assert colourful.sum() > 500
