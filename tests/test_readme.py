"""Every `derivtutor ...` command shown in README.md ends with its pinned exit code and shows a pinned fact.

A README command without an entry in FACTS fails here: add its exit code and a
piece of its output (or of the file it writes) that would be absent if it broke.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from derivtutor.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"
_FENCE = re.compile(r"```(?:bash|console)\n(.*?)```", re.S)


def readme_commands() -> list[tuple[str, tuple[int, ...]]]:
    """(command, the exit codes it may end with): a comment saying "exit N" pins the code."""
    commands = []
    for block in _FENCE.findall(README.read_text(encoding="utf-8")):
        for line in block.splitlines():
            line = line.removeprefix("$ ").strip()
            if not line.startswith("derivtutor ") or "answers.csv" in line:
                continue  # a class's CSV is the instructor's own file
            line, _, comment = line.partition(" # ")
            line = re.split(r"\s(?:\||>|&&)\s", line)[0].strip()  # drop pipes and redirections
            pinned = re.search(r"exit (\d)", comment)
            commands.append((line, (int(pinned.group(1)),) if pinned else (0, 1)))
    return commands


COMMANDS = readme_commands()

#: README command (as the README spells it, after dropping pipes) -> (exit code, fact in its output or file).
FACTS = {
    'derivtutor diff "arctg^2 x^3"': (0, "6*x^2*arctg(x^3)/(x^6 + 1)"),
    'derivtutor diff "ln cos^2(sin sqrt x)" --lang ru': (0, "Производная сложной"),
    'derivtutor diff "1 + e^(w1 x + w0)" --var w1 --json': (0, '"derivative": "x*exp(w0 + w1*x)"'),
    'derivtutor diff "tg x^2" --format latex --standalone --lang ru': (0, r"\end{document}"),
    'derivtutor diff "x^2 sin x" --format markdown --detail brief': (0, "Product rule"),
    'derivtutor diff "1/(1+e^-x)" --lang ru --detail brief': (0, "Найдём производную"),
    "derivtutor identity \"sigma(x)'\" \"sigma(x)(1 - sigma(x))\"": (0, "σ(x) = 1/(1 + exp(-x))"),
    'derivtutor identity "d/dx tanh(x)" "1 - tanh(x)^2"': (0, "sinh(x)/cosh(x)"),
    'derivtutor identity "tg(x)" "1/cos^2 x" "1 + tg^2 x" --diff': (0, "sin(x)/cos(x)"),
    "derivtutor identity --softmax 3 --i 1 --j 2": (0, "s1*(delta12 - s2)"),
    'derivtutor check --function "tg x^2" --answer "2x/cos^2 x^2"': (0, "correct: Correct."),
    'derivtutor check --function "arctg^2 x^3" --answer "2arctg(x^3)/(1+x^6)"': (1, "which is 3x^2"),
    'derivtutor check --function "t^3" --var t --answer "3t^2" --lang ru': (0, "верно"),
    r"""derivtutor check chain-arctg2-x3 --answer '\frac{6x^2 \arctg x^3}{1+x^6}' --json""": (0, '"verdict": "correct"'),
    'derivtutor parse "ln cos^2(sin sqrt x)"': (0, "log(cos(sin(sqrt(x)))**2)"),
    'derivtutor parse "sin(х)" --lang ru': (2, "«x»"),
    "derivtutor backprop": (0, "p = V x + v"),
    "derivtutor backprop --scalar --check": (0, "Numeric check passed"),
    "derivtutor backprop --layers 4,8,3 --activation tanh --output softmax --loss ce --l2 0.01 --check":
        (0, "Numeric check passed"),
    "derivtutor backprop --layers 3,4,4,4,2 --activation sigmoid,tanh,relu --output linear --check":
        (0, "Numeric check passed"),
    "derivtutor backprop --format latex --standalone": (0, r"\end{document}"),
    "derivtutor backprop --loss bce --check": (0, "Numeric check passed"),
    "derivtutor backprop --layers 4,8,3 --activation relu --loss ce --mean --check": (0, "Numeric check passed"),
    'derivtutor graph "1 + e^(w1 x + w0)" --at x=1,w1=2,w0=1': (0, "dx = w1*da      40.1711"),
    'derivtutor descend "w^2 + 12" --start w=5 --lr 0.1 --eps 0.01': (0, "dL/dw = 2*w"),
    'derivtutor descend "w^2 + 12" --start w=5 --lr 0.01,0.1,0.9,1.1 --plot lr.png': (0, "lr.png"),
    'derivtutor descend "(x-3)^2 + 2(y+2)^2" --start x=0,y=0 --plot contour.png': (0, "contour.png"),
    "derivtutor descend --data linear --n 200 --batch full,1,32 --epochs 20 --seed 0 --plot curves.png": (0, "curves.png"),
    "derivtutor descend --data logistic --lr 0.5": (0, "Logistic regression (cross-entropy)"),
    "derivtutor exercises list --topic chain": (0, "chain-tg-x2"),
    "derivtutor exercises show chain-tg-x2 --lang ru --hints": (0, "Найдите производную функции y = tg(x^2)"),
    'derivtutor check chain-tg-x2 --answer "2x/cos^2(x^2)"': (0, "correct: Correct."),
    "derivtutor worksheet table-sin chain-tg-x2 chain-arctg2-x3 --solutions --lang ru --out sheet.tex": (0, "sheet.tex"),
    # calculus breadth (issue 17)
    'derivtutor diff "x^3 sin x" --order 3': (0, "Derivative of order 3"),
    'derivtutor diff "x^4" --order 2 --json': (0, '"derivative": "12*x**2"'),
    'derivtutor diff "(x - 3)^2 + 2(y + 2)^2" --gradient': (0, "Partial derivative with respect to y"),
    'derivtutor diff "1 + e^(w1 x + w0)" --gradient --vars w0,w1 --json': (0, '"w1": "x*exp(w0 + w1*x)"'),
    'derivtutor diff "x^2 y + sin(x y)" --hessian --format latex': (0, "pmatrix"),
    'derivtutor diff "x y, x + y" --jacobian': (0, "Row 2, column 2"),
    'derivtutor diff "x^2 + y^2 = 1" --implicit y': (0, "y' = -x/y"),
    'derivtutor check --function "x^2 y" --gradient --answer "(2xy, x^2)"': (0, "every component is right"),
    'derivtutor check --function "x^2 y" --gradient --answer "[x^2, 2xy]"': (1, "swapped"),
    'derivtutor check --function "x^3" --order 2 --answer "6x"': (0, "correct: Correct."),
    'derivtutor check --function "x^2+y^2=1" --implicit y --answer "-x/y"': (0, "correct: Correct."),
    'derivtutor diff "relu(w x + b)" --var w': (0, "Derivative of ReLU"),
    'derivtutor diff "leaky_relu(x, 0.1) + softplus(x)"': (0, "slope 1/10"),
    'derivtutor check --function "relu(x^2 - 1)" --answer "2x heaviside(x^2 - 1)"': (0, "correct: Correct."),
    # the student's loop (issue 13)
    'derivtutor check --function "sin x" --answer "cso x"': (2, "Did you mean cos?"),
    'derivtutor check --function "1/x" --answer "-x^-2"': (0, "correct: Correct."),
    'derivtutor diff "-x^2"': (0, "d/dx (-x^2) = -2*x"),
    'derivtutor check --function "sqrt(x)" --answer "0,5/sqrt(x)" --lang ru': (0, "0.5/sqrt(x)"),
    'derivtutor diff "x*y" --var x --var y': (2, "may be given once"),
    # matrix calculus (issue 18)
    'derivtutor matrix "||Xw - y||^2" --wrt w': (0, "∂f/∂w = 2X^T(Xw - y)   [d×1]"),
    'derivtutor matrix "||Xw - y||^2 + lambda ||w||^2" --wrt w --shapes "X=n,d; w=d; y=n; lambda=1" --check':
        (0, "agrees with central finite differences"),
    'derivtutor matrix "logsumexp(Wx) - y^T W x" --wrt W --layout numerator --format latex': (0, r"\operatorname{softmax}"),
    r"""derivtutor matrix '\|X\mathbf{w} - \mathbf{y}\|^2' --wrt w --json""": (0, '"gradient": "2X^T(Xw - y)"'),
    # the lab (issue 16) and variants (issue 14)
    "derivtutor exercises list --kind lab": (0, "lab-ownframework"),
    "derivtutor exercises show chain-sin-3x --student ivanova --seed fall-2026": (0, "Variant a=8,f=cos of student ivanova"),
    "derivtutor exercises show chain-sin-3x --student ivanova --seed fall-2026 --json": (0, '"function": "cos(8*x)"'),
    'derivtutor check chain-sin-3x --student ivanova --seed fall-2026 --answer "-8 sin 8x"': (0, "correct: Correct."),
    'derivtutor check chain-sin-3x --student petrov --seed fall-2026 --answer "-8 sin 8x"': (1, "incorrect"),
    "derivtutor worksheet chain-sin-3x product-x2-sin --student ivanova --seed fall-2026 --solutions": (0, r"\end{document}"),
}


def test_readme_shows_commands():
    assert len(COMMANDS) >= 25


@pytest.mark.parametrize("command,codes", COMMANDS, ids=[c[:60] for c, _ in COMMANDS])
def test_readme_command_runs(command, codes, tmp_path, monkeypatch, capsys):
    assert command in FACTS, f"pin the exit code and a fact of this README command in FACTS: {command}"
    expected_code, fact = FACTS[command]
    monkeypatch.chdir(tmp_path)  # plots and worksheets land here
    code = main(shlex.split(command)[1:])
    out = capsys.readouterr()
    assert code == expected_code and code in codes, out.err
    if fact.endswith((".png", ".tex")):  # a command that writes a file: the file, whole
        written = tmp_path / fact
        assert written.is_file() and written.stat().st_size > 0
        assert not fact.endswith(".tex") or "\\end{document}" in written.read_text(encoding="utf-8")
    else:
        assert fact in out.out + out.err, (out.out + out.err)[-2000:]
