"""A worksheet survives a bank exercise whose function does not parse: that exercise says so,
the others are solved (the old code died with a ParseError traceback)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from derivtutor.cli import main
from derivtutor.course.bank import default_dir


@pytest.mark.parametrize("lang, sentence", [("ru", "Решения нет")], ids=["ru"])
def test_a_bank_function_that_does_not_parse_costs_only_its_solution(tmp_path, capsys, lang, sentence):
    bank = tmp_path / "bank"
    bank.mkdir()
    shutil.copy(Path(default_dir()) / "table-sin.toml", bank)
    text = (Path(default_dir()) / "chain-tg-x2.toml").read_text(encoding="utf-8")
    lines = ['id = "broken-fn"' if l.startswith("id =") else 'function = "sin((x"' if l.startswith("function =") else l
             for l in text.splitlines()]
    (bank / "broken-fn.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "sheet.tex"
    code = main(["worksheet", "broken-fn", "table-sin", "--solutions", "--exercises", str(bank),
                 "--out", str(out), "--lang", lang])
    assert code == 0 and "Traceback" not in capsys.readouterr().err
    tex = out.read_text(encoding="utf-8")
    assert tex.count(sentence) == 1 and "broken-fn" in tex
    assert "\\cos" in tex   # table-sin's solution is still written
