"""The layer contract in pyproject.toml is run by `make test`; these tests prove it can fail:
a copy of the tree with one upward import planted must break it, for each kind of arrow the
restructure removed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("mgov", "mobile_api", "channels", "notifications", "infra", "domain", "models")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _plant(tree: Path, module: str, line: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_tree_as_it_is_keeps_every_contract(tree: Path) -> None:
    result = _lint(tree)
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("domain.text", "import mgov.web", "composition root > doors"),
        ("domain.alerts.enqueue", "import notifications.worker", "composition root > doors"),
        ("notifications.worker", "import channels.sms.routes", "composition root > doors"),
        ("channels.ussd.routes", "import mobile_api.problems", "composition root > doors"),
        ("models.outbox", "import domain.errors", "composition root > doors"),
        ("notifications.claim", "import infra.settings", "delivery gets its configuration"),
        ("domain.citizens", "import starlette.requests", "rules and tables know no web"),
    ],
)
def test_a_planted_upward_import_breaks_a_contract(
    tree: Path, module: str, line: str, broken: str
) -> None:
    _plant(tree, module, line)
    result = _lint(tree)
    assert result.returncode != 0
    assert f"{broken}" in result.stdout
    assert "BROKEN" in result.stdout
