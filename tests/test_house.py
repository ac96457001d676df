"""The house rules of docs/architecture.md, checked on the source itself.

Every import is read with ``ast`` (those inside functions too), so a lazy import
cannot hide a cycle or an upward dependency.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "derivtutor"

#: Ground-floor modules at the top of the package, importable from anywhere.
GROUND = {"functions", "budget", "catalogue"}

#: What each package may import, besides itself and the ground floor. The flow is
#: text -> expression -> rule tree -> steps -> verdict -> graded item -> report.
ALLOWED = {
    "input": set(),
    "render": set(),
    "steps": {"input", "render"},
    "identity": {"input", "render", "steps"},
    "checking": {"input", "render", "steps"},
    "backprop": set(),
    "descent": {"input", "render", "steps"},
    "course": {"input", "render", "steps", "identity", "checking", "backprop", "descent"},
    "grading": {"course", "checking", "input"},
    "report": {"grading", "input", "render"},
    "cli": {"input", "render", "steps", "identity", "checking", "backprop", "descent", "course", "grading", "report"},
}


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(("derivtutor",) + parts).removesuffix(".__init__")
        yield name, path


def imported(name: str, path: Path) -> set[str]:
    """The derivtutor modules that ``path`` imports, at any depth of its code."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("derivtutor"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if base.startswith("derivtutor"):
                for alias in node.names:
                    candidate = f"{base}.{alias.name}"
                    found.add(candidate if candidate in ALL else base)
    return {m for m in found if m in ALL}


ALL = {name for name, _ in modules()}
GRAPH = {name: imported(name, path) for name, path in modules()}


def floor(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_graph_is_read():
    # A witness that the reader sees lazy imports: the CLI imports commands lazily.
    assert "derivtutor.cli.common" in GRAPH["derivtutor.cli.diff"]
    assert len(GRAPH) > 40


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_dependencies_point_down_the_flow(module):
    home = floor(module)
    if home in GROUND or home in ("", "__main__"):
        allowed = GROUND if home in GROUND else set(ALLOWED) | GROUND
    else:
        allowed = ALLOWED[home] | GROUND | {home}
    if home in GROUND:
        allowed = GROUND
    wrong = sorted(m for m in GRAPH[module] if floor(m) not in allowed and m != "derivtutor")
    assert not wrong, f"{module} imports {wrong} against the flow"


def test_no_import_cycles():
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in GRAPH[node]:
            if nxt == "derivtutor" or nxt.endswith("__init__"):
                continue
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


@pytest.mark.parametrize("name,path", list(modules()), ids=[n for n, _ in modules()])
def test_modules_stay_small(name, path):
    lines = len(path.read_text().splitlines())
    assert lines <= 400, f"{name} has {lines} lines"


def test_few_modules_at_the_top():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 6, top
    assert set(p.stem for p in PACKAGE.glob("*.py")) - {"__init__", "__main__"} <= GROUND
