"""Version files: pyproject.toml, package.json and __version__ lines, planned then written."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from devora.tools.release import (
    FileChangedError,
    VersionFileError,
    VersionFileKind,
    bump_version_text,
    plan_version_files,
    write_file_changes,
)

from .helpers import GitFixture

PYPROJECT = """\
[build-system]
requires = ["setuptools"]

[tool.other]
version = "9.9.9"  # not the project's

[project]
name = "demo"
# the version below is bumped by Devora
version = '1.2.3'  # keep this comment
dependencies = []

[tool.commitizen]
version = "1.2.3"
"""

PACKAGE_JSON = """\
{
  "name": "demo",
  "dependencies": {"left-pad": {"version": "1.2.3"}},
  "description": "a \\"version\\": \\"1.2.3\\" in a string",
  "version":   "1.2.3",
  "scripts": {"build": "tsc"}
}
"""


def test_pyproject_changes_only_the_project_version_and_keeps_formatting() -> None:
    old, new = bump_version_text(PYPROJECT, VersionFileKind.PYPROJECT, "1.3.0")
    assert old == "1.2.3"
    assert "version = '1.3.0'  # keep this comment\n" in new
    data = tomllib.loads(new)
    assert data["project"]["version"] == "1.3.0"
    assert data["tool"]["other"]["version"] == "9.9.9"
    assert data["tool"]["commitizen"]["version"] == "1.2.3"
    assert new.replace("1.3.0", "1.2.3") == PYPROJECT


def test_pyproject_with_dynamic_version_is_an_error_with_a_hint() -> None:
    text = '[project]\nname = "x"\ndynamic = ["version"]\n'
    with pytest.raises(VersionFileError, match="dynamic") as caught:
        bump_version_text(text, VersionFileKind.PYPROJECT, "1.0.0", path="pyproject.toml")
    assert "__version__" in (caught.value.hint or "")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[tool.poetry]\nversion = "1.0.0"\n', r"no \[project\] table"),
        ('[project]\nname = "x"\n', "no version"),
        ("[project\n", "not valid TOML"),
    ],
)
def test_pyproject_problems(text: str, problem: str) -> None:
    with pytest.raises(VersionFileError, match=problem):
        bump_version_text(text, VersionFileKind.PYPROJECT, "1.0.0")


def test_package_json_changes_only_the_top_level_version() -> None:
    old, new = bump_version_text(PACKAGE_JSON, VersionFileKind.PACKAGE_JSON, "2.0.0-rc.0")
    assert old == "1.2.3"
    data = json.loads(new)
    assert data["version"] == "2.0.0-rc.0"
    assert data["dependencies"]["left-pad"]["version"] == "1.2.3"
    assert '"version":   "2.0.0-rc.0",' in new
    assert new.count("\n") == PACKAGE_JSON.count("\n")


def test_package_json_without_version() -> None:
    with pytest.raises(VersionFileError, match='no top-level "version"'):
        bump_version_text(
            '{"name": "x", "a": {"version": "1"}}', VersionFileKind.PACKAGE_JSON, "1.0.0"
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"""Doc."""\n\n__version__ = "0.4.0"\n', '"""Doc."""\n\n__version__ = "0.5.0"\n'),
        ("__version__: str = '0.4.0'  # bumped\n", "__version__: str = '0.5.0'  # bumped\n"),
    ],
)
def test_dunder_version_line(text: str, expected: str) -> None:
    assert bump_version_text(text, VersionFileKind.DUNDER_VERSION, "0.5.0") == ("0.4.0", expected)


def test_dunder_version_missing_or_ambiguous() -> None:
    with pytest.raises(VersionFileError, match="no `__version__"):
        bump_version_text("VERSION = '1'\n", VersionFileKind.DUNDER_VERSION, "1.0.0")
    with pytest.raises(VersionFileError, match=r"lines 1, 3"):
        bump_version_text(
            "__version__ = '1'\nx = 1\n__version__ = '2'\n", VersionFileKind.DUNDER_VERSION, "3"
        )


def test_plan_writes_nothing_and_its_diffs_apply_with_git(repo: GitFixture) -> None:
    repo.commit(
        "chore: project files",
        {
            "pyproject.toml": PYPROJECT,
            "package.json": PACKAGE_JSON,
            "src/demo/__init__.py": '__version__ = "1.2.3"\n',
        },
    )
    paths = ["pyproject.toml", "package.json", "src/demo/__init__.py"]
    changes = plan_version_files(repo.path, paths, "1.3.0")
    assert [c.kind for c in changes] == [
        VersionFileKind.PYPROJECT,
        VersionFileKind.PACKAGE_JSON,
        VersionFileKind.DUNDER_VERSION,
    ]
    assert repo.git("status", "--porcelain") == ""
    diff = "".join(change.diff for change in changes)
    assert "--- a/src/demo/__init__.py\n+++ b/src/demo/__init__.py\n" in diff
    assert '-__version__ = "1.2.3"\n+__version__ = "1.3.0"\n' in diff
    # The dry-run diff is a real patch: git applies it, and it is exactly what writing does.
    repo.git("apply", "--check", "-", input_text=diff)
    write_file_changes(repo.path, changes)
    assert repo.git("diff", "--numstat").split() == [
        "1",
        "1",
        "package.json",
        "1",
        "1",
        "pyproject.toml",
        "1",
        "1",
        "src/demo/__init__.py",
    ]
    repo.git("apply", "--reverse", "--check", "-", input_text=diff)


def test_write_refuses_a_file_changed_since_the_plan(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (tmp_path / "version.py").write_text("__version__ = '1.2.3'\n", encoding="utf-8")
    changes = plan_version_files(tmp_path, ["version.py", "pyproject.toml"], "1.2.4")
    (tmp_path / "pyproject.toml").write_text(PYPROJECT + "\n", encoding="utf-8")
    with pytest.raises(FileChangedError, match=r"pyproject\.toml changed after"):
        write_file_changes(tmp_path, changes)
    # All or nothing: the file that did not change was not written either.
    assert (tmp_path / "version.py").read_text(encoding="utf-8") == "__version__ = '1.2.3'\n"


def test_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(VersionFileError, match=r"package\.json: cannot read it"):
        plan_version_files(tmp_path, ["package.json"], "1.0.0")
