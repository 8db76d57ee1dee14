"""The layout the code keeps: the Slack emulator a package of its own that imports nothing of
Goodwill, packages without import cycles, and modules and folders small enough to read.

Imports are read with `ast`, every one of them: at the top of a module, inside functions and
under `if TYPE_CHECKING:`, since a cycle hidden in any of them is still a cycle. Each check is a
function of a package's folder; a package joins the lists below once it keeps the rule.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Mapping, Set
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EMULATOR = ROOT / "slack_emulator"
BOT = ROOT / "bot"

# Packages without an import cycle, and packages whose modules and folders stay small.
ACYCLIC = [EMULATOR, BOT]
SMALL = [EMULATOR, BOT]

MAX_MODULE_LINES = 300
MAX_FOLDER_MODULES = 15


def modules(package: Path) -> dict[str, Path]:
    """Every module in the package folder `package`, subpackages included, by dotted name."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imported(name: str, path: Path) -> set[str]:
    """Everything module `name` (at `path`) imports, anywhere in it, as absolute dotted names:
    `import a.b` gives `a.b`, `from a import b` gives `a.b` (b a module or a name in a)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, one level up for each dot past the first
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def imports_of(package: Path, other: str) -> dict[str, list[str]]:
    """The modules in `package` that import anything of the top-level package `other`, with
    what they import of it."""
    found = {}
    for name, path in modules(package).items():
        theirs = sorted(n for n in imported(name, path) if n.split(".")[0] == other)
        if theirs:
            found[name] = theirs
    return found


def import_graph(package: Path) -> dict[str, set[str]]:
    """Which of the package's modules each of its modules imports. An import names the deepest
    module it reaches (`from a.b import c` is a.b.c if c is a module, else a.b); the parent
    packages Python initialises on the way are not counted."""
    found = modules(package)
    graph: dict[str, set[str]] = {}
    for name, path in found.items():
        targets = set()
        for dotted in imported(name, path):
            parts = dotted.split(".")
            prefixes = (".".join(parts[:n]) for n in range(len(parts), 0, -1))
            target = next((p for p in prefixes if p in found), None)
            if target is not None and target != name:
                targets.add(target)
        graph[name] = targets
    return graph


def cycle_in(graph: Mapping[str, Set[str]]) -> list[str]:
    """One cycle of `graph`, as its modules in import order with the first again at the end,
    or [] when there is none."""
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str]:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return []
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if found := visit(target):
                return found
        path.pop()
        done.add(node)
        return []

    for node in sorted(graph):
        if found := visit(node):
            return found
    return []


def test_the_emulator_imports_nothing_of_goodwill() -> None:
    assert imports_of(EMULATOR, "bot") == {}


@pytest.mark.parametrize("package", ACYCLIC, ids=lambda p: p.name)
def test_a_package_has_no_import_cycle(package: Path) -> None:
    assert cycle_in(import_graph(package)) == []


@pytest.mark.parametrize("package", SMALL, ids=lambda p: p.name)
def test_a_packages_modules_and_folders_stay_small(package: Path) -> None:
    paths = modules(package).values()
    lines = {p.relative_to(ROOT): len(p.read_text(encoding="utf-8").splitlines()) for p in paths}
    assert {path: n for path, n in lines.items() if n > MAX_MODULE_LINES} == {}
    folders = Counter(path.parent.relative_to(ROOT) for path in paths)
    assert {folder: n for folder, n in folders.items() if n > MAX_FOLDER_MODULES} == {}


def test_the_readme_layout_names_every_folder_and_top_module_of_bot() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    named = set(re.findall(r"\b((?:bot|slack_emulator|bench)/[\w/]*(?:\.py)?)", layout))
    tree = {f"bot/{p.name}/" for p in BOT.iterdir() if (p / "__init__.py").exists()}
    tree |= {f"bot/{p.name}" for p in BOT.glob("*.py") if p.name != "__init__.py"}
    assert tree - named == set(), "folders and modules of bot/ the README's layout leaves out"
    assert {path for path in named if not (ROOT / path).exists()} == set(), "named, not there"


def write_package(root: Path, files: Mapping[str, str]) -> Path:
    package = root / "pkg"
    for relative, text in {"__init__.py": "", **files}.items():
        (package / relative).parent.mkdir(parents=True, exist_ok=True)
        (package / relative).write_text(text)
    return package


def test_the_checks_see_imports_in_functions_and_under_type_checking(tmp_path: Path) -> None:
    package = write_package(
        tmp_path,
        {
            "a.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n"
            "    from pkg.b import B\n",
            "b.py": "def later():\n    from .sub import c\n",
            "sub/__init__.py": "",
            "sub/c.py": "from .. import a\nimport bot.models\n",
            "d.py": "from pkg.a import x\nfrom pkg import sub\n",
        },
    )

    assert import_graph(package) == {
        "pkg": set(),
        "pkg.a": {"pkg.b"},
        "pkg.b": {"pkg.sub.c"},
        "pkg.sub": set(),
        "pkg.sub.c": {"pkg.a"},
        "pkg.d": {"pkg.a", "pkg.sub"},
    }
    assert cycle_in(import_graph(package)) == ["pkg.a", "pkg.b", "pkg.sub.c", "pkg.a"]
    assert imports_of(package, "bot") == {"pkg.sub.c": ["bot.models"]}


def test_a_package_without_a_cycle_has_none_found(tmp_path: Path) -> None:
    package = write_package(
        tmp_path,
        {"a.py": "from pkg import b, c\n", "b.py": "import pkg.c\n", "c.py": "import json\n"},
    )

    assert cycle_in(import_graph(package)) == []
    assert imports_of(package, "bot") == {}
