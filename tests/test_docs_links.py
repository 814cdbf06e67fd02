"""README is the front door and docs/ the house: a newcomer reads README in minutes, and every
path, module and link the pages name is one a clone has. Code moves under the docs (a module
renamed, a setting added); these tests say which page went stale the day it happens."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from infra.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [README, ROOT / "bench" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
README_MAX_LINES = 250
# Our own packages: a backticked `domain.dossiers.records.move_dossier` must name something in them.
PACKAGES = ("channels", "domain", "mgov", "mobile_api", "models", "notifications")

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_SPAN = re.compile(r"`([^`\n]+)`")
_PATH = re.compile(r"[\w.*-]+(/[\w.*-]*)*")
_DOTTED = re.compile(rf"(?:{'|'.join(PACKAGES)})(\.\w+)+")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$", re.M)
_VARIABLE = re.compile(r"\b(?:MGOV_[A-Z0-9_]*[A-Z0-9]|DATABASE_URL|PORT)\b")


def _prose(page: Path) -> str:
    """The page without its fenced blocks: commands and transcripts there are not references."""
    return _FENCE.sub("", page.read_text(encoding="utf-8"))


@cache
def _anchors(page: Path) -> frozenset[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    slugs = set()
    for heading in _HEADING.findall(_prose(page)):
        plain = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
        slugs.add(re.sub(r"\s", "-", re.sub(r"[^\w\- ]", "", plain)))
    return frozenset(slugs)


def _link_problems(page: Path) -> list[str]:
    problems = []
    for target in _LINK.findall(_prose(page)):
        if re.match(r"[a-z][a-z+.-]*:", target):
            continue  # http:, https:, mailto: are not the repo's to check
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists() or ROOT not in (resolved, *resolved.parents):
            problems.append(f"{target}: no such file in the repo")
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            problems.append(f"{target}: {resolved.name} has no heading #{anchor}")
    return problems


def _top_level() -> set[str]:
    return {entry.name for entry in ROOT.iterdir() if entry.name not in (".git", ".venv")}


def _path_problems(page: Path) -> list[str]:
    """Backticked repo paths (`channels/ussd/menus.py`, `mobile_api/routes_*.py`, `Procfile`)
    resolve from the repo root, and `../x` from the page, inside the repo; a span starting
    elsewhere (`/v1/...`, `./var/`, `failed/`) is a URL, a runtime path or a path relative to
    something named nearby."""
    top = _top_level()
    problems = []
    for span in _SPAN.findall(_prose(page)):
        if span.startswith("../"):  # relative to the page, and it must stay inside the repo
            resolved = (page.parent / span).resolve()
            if not resolved.exists() or ROOT not in (resolved, *resolved.parents):
                problems.append(f"`{span}`: not a path in the repo")
            continue
        if not _PATH.fullmatch(span) or span.split("/")[0] not in top:
            continue
        if "/" not in span and "." in span and span.split(".")[0] in PACKAGES:
            continue  # a dotted module name, checked below
        if not (list(ROOT.glob(span.rstrip("/"))) if "*" in span else (ROOT / span).exists()):
            problems.append(f"`{span}`: no such path")
    return problems


@cache
def _module(dotted: str) -> ast.Module | None:
    base = ROOT.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return ast.parse(candidate.read_text(encoding="utf-8"))
    return None


def _defines(body: list[ast.stmt], name: str) -> list[ast.stmt] | None:
    """The body of what `name` is in `body` (a class's, to look further in), [] for any other
    definition, None when nothing there is called `name`."""
    for node in body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return []
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            return []
        if isinstance(node, (ast.Import, ast.ImportFrom)) and any(
            (alias.asname or alias.name.split(".")[0]) == name for alias in node.names
        ):
            return []
    return None


def _names(dotted: str) -> bool:
    """Whether `models.enums.StaffRole` or `notifications.claim._claim_statement` is a module,
    or a name a module defines, imports or holds in a class, without importing anything."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        module = _module(".".join(parts[:split]))
        if module is None:
            continue
        body: list[ast.stmt] | None = module.body
        for name in parts[split:]:
            body = _defines(body, name) if body is not None else None
            if body is None:
                return False
        return True
    return False


def _name_problems(page: Path) -> list[str]:
    return [
        f"`{span}`: names nothing in our packages"
        for span in _SPAN.findall(_prose(page))
        if _DOTTED.fullmatch(span) and not _names(span)
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_link_path_and_name_on_the_page_exists(page):
    problems = _link_problems(page) + _path_problems(page) + _name_problems(page)
    assert not problems, f"{page.relative_to(ROOT)}:\n" + "\n".join(problems)


def test_readme_stays_a_five_minute_read():
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines <= README_MAX_LINES, (
        f"README.md has {lines} lines (at most {README_MAX_LINES}): move detail to docs/"
    )


class _Recorded(dict[str, str]):
    """An environment that remembers every variable asked of it."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.asked.add(str(key))
        return super().__contains__(key)


def _configuration_rows() -> set[str]:
    text = README.read_text(encoding="utf-8")
    table = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in _VARIABLE.findall(row)}


def _variables_read(tmp_path: Path) -> set[str]:
    """What `load_settings` asks of the environment (names built at run time included), and
    every other `"MGOV_…"` literal in our code, tests and benchmarks (the CLI's, the tests')."""
    environ = _Recorded({"MGOV_VAR_DIR": str(tmp_path)})
    load_settings(environ)
    literals = {
        name
        for folder in (*PACKAGES, "tests", "bench")
        for source in (ROOT / folder).rglob("*.py")
        for name in re.findall(r"""["'](MGOV_[A-Z0-9_]+)["']""", source.read_text("utf-8"))
        if not name.endswith("_")
    }
    return {name for name in environ.asked if _VARIABLE.fullmatch(name)} | literals


def test_every_variable_read_has_one_configuration_row_and_every_row_is_read(tmp_path):
    documented, read = _configuration_rows(), _variables_read(tmp_path)
    assert not read - documented, f"read but not in README's configuration: {read - documented}"
    assert not documented - read, f"in README's configuration but read nowhere: {documented - read}"
