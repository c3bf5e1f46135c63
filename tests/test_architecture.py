"""The shape of app/ that DESIGN.md promises a newcomer, checked on every run: dependencies point one
way, no module or function grows past what one can read at once, views neither query nor commit, and
no import hides inside a function to get around a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"

# Capability packages from the bottom up; a package may import its own layer's or any lower one's.
LAYERS = {
    "directory": 0,
    "accounts": 1,
    "facilities": 1,  # the roster of facilities (issue 22): events pick one, so below events
    "events": 2,
    "registrations": 3,
    "calendar": 4,
    "lessons": 4,
    "contributions": 4,  # calls for topics and contributions (issue 22)
    "learning": 4,  # knowledge checks, learning gain, follow-up surveys (issue 22)
    "assessments": 4,  # needs assessments (issue 22); lessons may read them
    "reports": 5,
    "scheduler": 5,
    "certificates": 5,  # certificates of attendance, their rule, records and verification (issue 22)
    "privacy": 6,  # a person's own data across every package: export, deletion, retention
    "demo": 6,  # loads every kind of data
    "main": 6,  # the home page and health check
    "api": 6,  # the JSON API over every capability's services and queries (issue 21)
}
# Infrastructure packages: anyone may import them; they import no capability package.
INFRASTRUCTURE = {"audit", "cache", "notifications"}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
DATA_TABLES = {"demo/data.py"}  # demo data: long tables of rows, not logic


def _modules() -> list[tuple[str, ast.Module, str]]:
    found = []
    for path in sorted(APP.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        found.append((path.relative_to(APP).as_posix(), ast.parse(source), source))
    return found


MODULES = _modules()


def _package(relative: str) -> str | None:
    return relative.split("/")[0] if "/" in relative else None


def _imported_packages(tree: ast.Module) -> set[str]:
    targets = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "app" and len(parts) > 1 and (APP / parts[1]).is_dir():
                targets.add(parts[1])
    return targets


def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for relative, tree, _ in MODULES:
        package = _package(relative)
        if package:
            edges.setdefault(package, set()).update(_imported_packages(tree) - {package})
    return edges


def test_every_package_has_a_place_in_the_layers():
    packages = {path.name for path in APP.iterdir() if path.is_dir() and (path / "__init__.py").exists()}
    assert packages - {"static", "fonts"} <= set(LAYERS) | INFRASTRUCTURE


def test_no_import_cycle_between_packages():
    edges = _edges()
    cycles = sorted({tuple(sorted((a, b))) for a, targets in edges.items() for b in targets
                     if a in edges.get(b, set())})
    assert cycles == []


def test_dependencies_point_down_the_layers():
    upward = []
    for package, targets in _edges().items():
        for target in targets:
            if package in INFRASTRUCTURE:
                upward.append(f"{package} (infrastructure) imports {target}")
            elif target in LAYERS and LAYERS[target] > LAYERS[package]:
                upward.append(f"{package} imports {target}")
    assert sorted(upward) == []


def test_no_module_is_longer_than_a_newcomer_can_read():
    long = [f"{relative}: {source.count(chr(10)) + 1} lines" for relative, _, source in MODULES
            if source.count("\n") + 1 > MAX_MODULE_LINES and relative not in DATA_TABLES]
    assert long == []


def test_no_function_is_longer_than_sixty_lines():
    long = []
    for relative, tree, _ in MODULES:
        if relative in DATA_TABLES:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{relative}:{node.lineno} {node.name} ({length} lines)")
    assert long == []


def _inner_app_imports(tree: ast.Module) -> list[int]:
    lines = []
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("app"):
                    lines.append(node.lineno)
    return lines


def test_no_import_of_app_code_hides_inside_a_function():
    # create_app imports the application's parts in order (extensions before blueprints): the one
    # place the factory pattern asks for it.
    hidden = [f"{relative}:{line}" for relative, tree, _ in MODULES if relative != "__init__.py"
              for line in _inner_app_imports(tree)]
    assert hidden == []


def _is_view_module(relative: str) -> bool:
    parts = relative.split("/")
    return parts[-1] == "views.py" or (len(parts) > 2 and parts[-2] == "views")


def _queries_or_commits(tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "select":
            found.append(f"select() at line {node.lineno}")
        if (isinstance(node, ast.Attribute) and node.attr == "session" and isinstance(node.value, ast.Name)
                and node.value.id == "db"):
            found.append(f"db.session at line {node.lineno}")
    return found


@pytest.mark.parametrize("relative", [relative for relative, _, _ in MODULES if _is_view_module(relative)])
def test_views_neither_build_queries_nor_commit(relative):
    tree = next(tree for name, tree, _ in MODULES if name == relative)
    assert _queries_or_commits(tree) == []


def test_the_checks_see_a_violation_when_there_is_one():
    """The checks above read real trees; make sure they would catch what they look for."""
    bad_view = ast.parse("def page():\n    from app.events import models\n    return db.session.scalars(select(x))\n")
    assert len(_queries_or_commits(bad_view)) == 2
    assert _inner_app_imports(bad_view) == [2]
    assert _imported_packages(ast.parse("from app.events.models import Event\nimport app.lessons.models\n")) == {
        "events", "lessons"}
