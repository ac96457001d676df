"""Class files as instructors' tools write them, each built as a real file and graded by the
real CLI: encodings, separators, broken quotes, huge fields, duplicates, hostile ids,
multi-line answers. The witness is the file we wrote: which students and lines it holds."""
from __future__ import annotations

import csv
import io
import json
import multiprocessing

import pytest

from derivtutor.cli import main
from derivtutor.course import bank as exercises
from derivtutor.grading.outputs import FORMULA_STARTS

NAMES = ["Иванова", "Петров", "Сидоров", "Kim", "Ёлкина"]


def fake_check(exercise, answer, lang="en"):
    """Correct when the answer is 'ok'; the message quotes the answer exactly as received."""
    from types import SimpleNamespace

    correct = answer.strip() == "ok"
    return SimpleNamespace(verdict="correct" if correct else "incorrect", score=1.0 if correct else 0.0,
                           diagnosis=None, message=f"got {answer!r}", expected="ok")


@pytest.fixture
def fake(monkeypatch):
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("the stand-in checker reaches workers only through fork")
    monkeypatch.setitem(exercises.KIND_CHECKERS, "derivative", f"{__name__}:fake_check")


def class_text(names, delimiter=",", header=("student", "exercise", "answer")) -> str:
    rows = [delimiter.join(header)] + [delimiter.join((name, "table-sin", "ok")) for name in names]
    return "\n".join(rows) + "\n"


def grade_json(path, capsys, *extra) -> tuple[dict, str]:
    code = main(["grade", str(path), "--format", "json", "--jobs", "1", *extra])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Traceback" not in captured.err
    return json.loads(captured.out), captured.err


def counted_students(data) -> dict:
    return {i["student"]: i["score"] for i in data["items"] if i["counts"]}


ENCODINGS = [
    ("cp1251", lambda text: text.encode("cp1251"), "cp1251"),
    ("utf-8", lambda text: text.encode("utf-8"), "UTF-8"),
    ("utf-8-bom", lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), "UTF-8 (with BOM)"),
    ("utf-16-le", lambda text: text.encode("utf-16"), "UTF-16"),
    ("utf-16-be", lambda text: b"\xfe\xff" + text.encode("utf-16-be"), "UTF-16"),
]


@pytest.mark.parametrize("encode, said", [e[1:] for e in ENCODINGS], ids=[e[0] for e in ENCODINGS])
def test_every_encoding_reads_the_whole_class_and_says_which(fake, tmp_path, capsys, encode, said):
    path = tmp_path / "class.csv"
    path.write_bytes(encode(class_text(NAMES).replace("\n", "\r\n")))
    data, err = grade_json(path, capsys)
    assert counted_students(data) == {name: 1.0 for name in NAMES}
    assert f"read as {said}" in err and data["problems"] == []


SEPARATORS = [("comma", ","), ("semicolon", ";"), ("tab", "\t")]


@pytest.mark.parametrize("delimiter", [s[1] for s in SEPARATORS], ids=[s[0] for s in SEPARATORS])
def test_the_separator_is_detected(fake, tmp_path, capsys, delimiter):
    path = tmp_path / "class.csv"
    path.write_text(class_text(NAMES, delimiter), encoding="utf-8")
    data, _ = grade_json(path, capsys)
    assert counted_students(data) == {name: 1.0 for name in NAMES}
    assert data["sources"][0]["delimiter"] == delimiter


def test_an_unknown_separator_is_refused_with_a_hint(tmp_path, capsys):
    path = tmp_path / "class.csv"
    path.write_text(class_text(NAMES, "|"), encoding="utf-8")
    assert main(["grade", str(path)]) == 2
    err = capsys.readouterr().err
    assert "semicolon" in err and "Traceback" not in err


def test_one_cp1251_row_in_a_utf8_file_costs_only_that_row(fake, tmp_path, capsys):
    names = [f"Студент{i:02d}" for i in range(50)]
    body = class_text(names).encode("utf-8") + "Чужой,table-sin,ok\n".encode("cp1251")
    body += "Последний,table-sin,ok\n".encode("utf-8")
    path = tmp_path / "class.csv"
    path.write_bytes(body)
    data, err = grade_json(path, capsys)
    assert counted_students(data) == {name: 1.0 for name in names + ["Последний"]}
    assert [p["line"] for p in data["problems"]] == [52]
    assert "line 52" in err


def test_an_unclosed_quote_is_named_and_the_rows_after_it_are_graded(fake, tmp_path, capsys):
    path = tmp_path / "class.csv"
    path.write_text('student,exercise,answer\ns1,table-sin,"ok\ns2,table-sin,ok\ns3,table-sin,ok\n'
                    's4,table-sin,ok\n', encoding="utf-8")
    data, err = grade_json(path, capsys)
    assert counted_students(data) == {"s1": 0.0, "s2": 1.0, "s3": 1.0, "s4": 1.0}
    assert [(p["line"], p["code"]) for p in data["problems"]] == [(2, "grading.unclosed-quote")]
    assert "line 2" in err


def test_a_quote_closed_rows_later_does_not_merge_them(fake, tmp_path, capsys):
    path = tmp_path / "class.csv"
    path.write_text('student,exercise,answer\ns1,table-sin,"ok\ns2,table-sin,ok\ns3,table-sin,ok"\n'
                    's4,table-sin,ok\n', encoding="utf-8")
    data, _ = grade_json(path, capsys)
    assert set(counted_students(data)) == {"s1", "s2", "s3", "s4"}
    assert counted_students(data)["s2"] == 1.0
    assert (2, "grading.unclosed-quote") in [(p["line"], p["code"]) for p in data["problems"]]


@pytest.mark.parametrize("size", [200_000, 2_000_000], ids=["200kB", "2MB"])
def test_a_huge_field_is_invalid_for_that_answer_only(fake, tmp_path, capsys, size):
    path = tmp_path / "class.csv"
    path.write_text(f"student,exercise,answer\ns1,table-sin,ok\nbig,table-sin,\"{'x' * size}\"\ns2,table-sin,ok\n",
                    encoding="utf-8")
    data, _ = grade_json(path, capsys)
    scores = counted_students(data)
    assert scores == {"s1": 1.0, "big": 0.0, "s2": 1.0}
    assert [p["line"] for p in data["problems"]] == [3]
    big = next(i for i in data["items"] if i["student"] == "big")
    assert big["status"] == "malformed" and big["verdict"] == "invalid"


def test_a_duplicate_is_warned_with_both_lines(fake, tmp_path, capsys):
    path = tmp_path / "class.csv"
    path.write_text("student,exercise,answer\na,table-sin,no\nb,table-sin,ok\na,table-sin,ok\n", encoding="utf-8")
    data, err = grade_json(path, capsys)
    assert counted_students(data) == {"a": 1.0, "b": 1.0}
    (warning,) = [line for line in err.splitlines() if line.startswith("warning:")]
    assert "line 2" in warning and "line 4" in warning


def test_warnings_speak_russian_under_lang_ru(fake, tmp_path, capsys):
    path = tmp_path / "class.csv"
    path.write_text("student,exercise,answer\na,table-sin\n", encoding="utf-8")
    assert main(["grade", str(path), "--lang", "ru", "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    assert "предупреждение:" in err and "warning" not in err


def test_columns_follow_the_file_and_json_items_add_up_to_the_totals(fake, tmp_path, capsys):
    path = tmp_path / "class.csv"
    path.write_text("student,exercise,answer\na,table-tg,ok\na,table-cos,no\na,chain-tg-x2,ok\nb,table-cos,ok\n",
                    encoding="utf-8")
    assert main(["grade", str(path), "--jobs", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "student,table-tg,table-cos,chain-tg-x2,total,max,not_graded"
    data, _ = grade_json(path, capsys, "--assignment", "table-cos")
    for entry in data["students"]:
        items = [i for i in data["items"] if i["student"] == entry["student"]]
        assert sum(i["score"] for i in items) == entry["total"]


HOSTILE_IDS = ["=HYPERLINK(\"http://evil\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTAB", "\rCR",
               "../../etc/passwd", "con", "x" * 300, "ы" * 300]


def test_hostile_ids_make_safe_cells_and_safe_files(fake, tmp_path, capsys):
    path = tmp_path / "class.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "exercise", "answer"])
        writer.writerows([student, "table-sin", "ok" if n % 2 else "no"] for n, student in enumerate(HOSTILE_IDS))
    gradebook = tmp_path / "gradebook.csv"
    assert main(["grade", str(path), "--out", str(gradebook), "--jobs", "1"]) == 0
    cells = [cell for row in csv.reader(io.StringIO(gradebook.read_text(encoding="utf-8"))) for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    folder = tmp_path / "results"
    assert main(["grade", str(path), "--format", "gradescope", "--out", f"{folder}/", "--jobs", "1"]) == 0
    with (folder / "index.csv").open(encoding="utf-8", newline="") as fh:
        index = list(csv.DictReader(fh))
    assert len(index) == len(HOSTILE_IDS) == len({row["file"] for row in index})
    # OWASP's rule written out: a leading = + - @ gets an apostrophe (ids are read stripped)
    expected = {("'" + s.strip() if s.strip()[:1] in "=+-@" else s.strip()): (1.0 if n % 2 else 0.0)
                for n, s in enumerate(HOSTILE_IDS)}
    assert {row["student"] for row in index} == set(expected)
    for row in index:
        target = folder / row["file"]
        assert target.parent == folder and len(row["file"].encode()) <= 255
        assert json.loads(target.read_text(encoding="utf-8"))["score"] == expected[row["student"]]
    assert sorted(p.name for p in folder.iterdir()) == sorted(["index.csv", *(row["file"] for row in index)])


def test_a_multiline_csv_answer_reaches_the_checker_with_its_line_breaks(fake, tmp_path, capsys):
    path = tmp_path / "class.csv"
    path.write_text('student,exercise,answer\na,table-sin,"y\' = cos x\n  = cos x"\nb,table-sin,ok\n', encoding="utf-8")
    data, _ = grade_json(path, capsys)
    item = next(i for i in data["items"] if i["student"] == "a")
    assert item["answer"] == "y' = cos x\n  = cos x" and item["message"] == "got \"y'=cos x\\n=cos x\""


def test_answers_files_continue_an_answer_on_indented_lines(fake, tmp_path, capsys):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ivanova.txt").write_text("table-sin: y' = cos x\n    = cos x\n\ntable-cos: ok\n", encoding="utf-8")
    (folder / "petrov.txt").write_text("  table-sin: ok\n  table-cos: ok\n", encoding="utf-8")  # same indent: two entries
    (folder / "sidorov.txt").write_bytes("table-sin: ok\n# Сидоров\ntable-cos: ok\n".encode("cp1251"))
    (folder / "broken.txt").write_bytes(b"table-sin: ok\ntable-cos: \x98\x98 ok\n")
    data, _ = grade_json(folder, capsys)
    items = {(i["student"], i["exercise"]): i for i in data["items"]}
    assert items[("ivanova", "table-sin")]["answer"] == "y' = cos x\n= cos x"
    assert items[("ivanova", "table-cos")]["score"] == 1.0
    assert items[("petrov", "table-sin")]["score"] == items[("petrov", "table-cos")]["score"] == 1.0
    assert items[("sidorov", "table-cos")]["score"] == 1.0
    assert items[("broken", "table-sin")]["score"] == 1.0 and items[("broken", "table-cos")]["status"] == "malformed"
    assert [(p["source"], p["line"]) for p in data["problems"]] == [("broken.txt", 2)]
