"""The exercise bank: every file loads, follows the schema, speaks both languages, and its
reference answer agrees with an independent witness (sympy.diff, or the stated value)."""
from __future__ import annotations

import json
import random
import re

import pytest
import sympy

from derivtutor.catalogue import catalogue, placeholders
from derivtutor.cli import main
from derivtutor.course.bank import (KIND_CHECKERS, KIND_FIELDS, ExerciseError, default_dir, find_exercise,
                                  load_exercises, load_file, validate)
from derivtutor.input.parsing import parse

BANK = load_exercises()
OURS = [ex for ex in BANK.values() if ex.kind in ("derivative", "identity", "value")]
CYRILLIC = re.compile("[А-Яа-яЁё]")


def _numeric_equal(a, b, symbols, trials=5) -> bool:
    """a == b at random points in (0.2, 0.8) (inside every domain the bank uses)."""
    rng = random.Random(1)
    for _ in range(trials):
        point = {s: sympy.Float(rng.uniform(0.2, 0.8), 30) for s in symbols}
        va, vb = complex(sympy.N(a.subs(point), 20)), complex(sympy.N(b.subs(point), 20))
        if abs(va - vb) > 1e-9 * max(1.0, abs(vb)):
            return False
    return True


def _plain(text):
    return parse(str(text), syntax="plain")


def test_bank_is_large_enough_and_covers_the_seeds():
    seeds = ["table-const", "table-power", "table-exp-base", "table-exp", "table-ln", "table-log-base",
             "table-sin", "table-cos", "table-tg", "table-sqrt", "chain-tg-x2", "chain-arctg2-x3",
             "chain-ln-cos2-sin-sqrt", "sigmoid-derivative", "sigmoid-identity", "graph-partial-w1",
             "graph-partial-w0", "graph-partial-x", "graph-value-w1", "graph-value-w0", "graph-value-x",
             "softmax-ce-a1", "softmax-ce-a2", "softmax-ce-value"]
    assert [s for s in seeds if s not in BANK] == []
    assert len(OURS) - len(seeds) >= 30


@pytest.mark.parametrize("exercise", list(BANK.values()), ids=list(BANK))
def test_every_file_has_both_languages(exercise):
    for table in (exercise.title, exercise.prompt, *exercise.hints):
        assert table["en"].strip() and table["ru"].strip()
        assert CYRILLIC.search(table["ru"]) or table["ru"] == table["en"], table
    assert exercise.kind in KIND_CHECKERS


@pytest.mark.parametrize("exercise", [e for e in OURS if e.kind == "derivative"],
                         ids=[e.id for e in OURS if e.kind == "derivative"])
def test_derivative_reference_matches_sympy_diff(exercise):
    function, answer = _plain(exercise.get("function")), _plain(exercise.get("answer"))
    x = sympy.Symbol(exercise.get("variable"))
    witness = sympy.diff(function.rewrite(sympy.exp), x, exercise.get("order", 1))
    assert _numeric_equal(witness, answer.rewrite(sympy.exp), function.free_symbols | {x})
    assert x in function.free_symbols or witness == 0


@pytest.mark.parametrize("exercise", [e for e in OURS if e.kind == "value"],
                         ids=[e.id for e in OURS if e.kind == "value"])
def test_value_reference_is_the_derivative_at_the_point(exercise):
    function = _plain(exercise.get("function")).rewrite(sympy.exp)
    x = sympy.Symbol(exercise.get("variable"))
    point = {sympy.Symbol(k): _plain(v) for k, v in exercise.get("at").items()}
    witness = sympy.N(sympy.diff(function, x).subs(point), 30)
    assert abs(complex(witness) - complex(sympy.N(_plain(exercise.get("expected")), 30))) < 1e-12


@pytest.mark.parametrize("exercise", [e for e in OURS if e.kind == "identity"],
                         ids=[e.id for e in OURS if e.kind == "identity"])
def test_identity_sides_agree(exercise):
    lhs, rhs = _plain(exercise.get("lhs")), _plain(exercise.get("rhs"))
    assert _numeric_equal(lhs.rewrite(sympy.exp), rhs.rewrite(sympy.exp), lhs.free_symbols | rhs.free_symbols)
    used = {type(f).__name__ for f in rhs.atoms(sympy.Function)}
    assert set(exercise.get("must_use", [])) <= used


def test_sigmoid_identity_is_the_sigmoid_derivative():
    ex = BANK["sigmoid-identity"]
    x = sympy.Symbol("x")
    witness = sympy.diff(1 / (1 + sympy.exp(-x)), x)
    assert sympy.simplify(witness - _plain(ex.get("lhs"))) == 0


BAD = [
    ("missing-kind", {"kind": None}, "missing required field 'kind'"),
    ("unknown-kind", {"kind": "integral"}, "unknown kind"),
    ("no-russian", {"title": {"en": "T"}}, "'title' needs a non-empty 'ru'"),
    ("bad-difficulty", {"difficulty": 5}, "difficulty must be 1, 2 or 3"),
    ("bool-difficulty", {"difficulty": True}, "not a boolean"),
    ("negative-points", {"points": -1}, "points must be positive"),
    ("no-function", {"function": None}, "missing required field 'function'"),
    ("bad-credit", {"partial_credit": {"x": 2}}, "from 0 to 1"),
    ("bad-hint", {"hints": ["just text"]}, "hint 1 must be a table"),
    ("bad-id", {"id": "../etc"}, "may use only"),
]


def _good() -> dict:
    return {"id": "a", "kind": "derivative", "topic": "t", "difficulty": 1, "points": 1.0,
            "title": {"en": "T", "ru": "Т"}, "prompt": {"en": "P", "ru": "П"}, "function": "x", "variable": "x"}


@pytest.mark.parametrize("change, expected", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_schema_errors_are_clear(change, expected):
    data = _good()
    for key, value in change.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    with pytest.raises(ExerciseError, match=re.escape(expected)):
        validate(data, "a.toml")


def test_file_name_must_match_id(tmp_path):
    path = tmp_path / "other.toml"
    path.write_text((default_dir() / "table-sin.toml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ExerciseError, match="must match the file name"):
        load_file(path)


def test_invalid_toml_names_the_file(tmp_path):
    (tmp_path / "x.toml").write_text("id = ", encoding="utf-8")
    with pytest.raises(ExerciseError, match="x.toml: not valid TOML"):
        load_exercises(tmp_path)


def test_find_exercise():
    # A randomised exercise is loaded as its default variant: the original tg(x^2).
    assert _plain(find_exercise("chain-tg-x2").get("function")) == _plain("tg(x^2)")
    with pytest.raises(KeyError):
        find_exercise("no-such-exercise")


def test_kind_fields_cover_every_kind():
    assert set(KIND_FIELDS) == set(KIND_CHECKERS)


@pytest.mark.parametrize("prefix", ["exercises.", "exercise.", "worksheet.", "grading."])
def test_messages_have_both_languages_with_the_same_fields(prefix):
    codes = [c for c in catalogue() if c.startswith(prefix)]
    assert codes
    for code in codes:
        assert placeholders(code, "en") == placeholders(code, "ru"), code
        assert CYRILLIC.search(catalogue()[code]["ru"]) or "{" in catalogue()[code]["ru"], code


CLI = [
    ("list-topic", ["exercises", "list", "--topic", "chain", "--json"], 0),
    ("show-ru-hint", ["exercises", "show", "chain-tg-x2", "--lang", "ru", "--hint", "1", "--json"], 0),
    ("show-unknown", ["exercises", "show", "nope", "--json"], 2),
]


@pytest.mark.parametrize("argv, code", [c[1:] for c in CLI], ids=[c[0] for c in CLI])
def test_cli(argv, code, capsys):
    assert main(argv) == code
    data = json.loads(capsys.readouterr().out)
    if argv[1] == "list":
        assert {row["id"] for row in data} == {e.id for e in BANK.values() if e.topic == "chain"}
    elif code == 0:
        ex = BANK["chain-tg-x2"]
        assert data["prompt"] == ex.prompt["ru"] and data["hints"] == [ex.hints[0]["ru"]]
    else:
        assert data["error"]["code"] == "exercises.not-found"


def test_cli_show_plain_text(capsys):
    assert main(["exercises", "show", "sigmoid-identity", "--hints"]) == 0
    out = capsys.readouterr().out
    ex = BANK["sigmoid-identity"]
    # The terminal shows maths as text, not raw $LaTeX$ (issue 13).
    from derivtutor.cli.exercises import terminal_maths

    assert terminal_maths(ex.prompt["en"], "en") in out and "$" not in out
    assert all(terminal_maths(h["en"], "en") in out for h in ex.hints)
