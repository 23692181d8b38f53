"""Planned file changes: diffs git can apply, all-or-nothing writes, exact undo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from devora.tools.release import (
    FileChange,
    FileChangedError,
    UndoRefusedError,
    plan_changelog,
    plan_version_files,
    render_changelog_section,
    undo_file_changes,
    write_file_changes,
)

from .helpers import GitFixture

SECTION = render_changelog_section("1.1.0", dt.date(2026, 11, 25), [])


def test_plan_changelog_for_a_missing_file_creates_it(tmp_path: Path) -> None:
    change = plan_changelog(tmp_path, "CHANGELOG.md", SECTION)
    assert change.old_text is None
    assert change.new_text == "# Changelog\n\n## 1.1.0 (2026-11-25)\n\nNo changes.\n"
    assert not (tmp_path / "CHANGELOG.md").exists()


def test_diffs_apply_with_git_for_new_and_existing_files(repo: GitFixture) -> None:
    repo.commit("chore: init", {"pyproject.toml": '[project]\nname = "x"\nversion = "1.0.0"\n'})
    changes = [
        *plan_version_files(repo.path, ["pyproject.toml"], "1.1.0"),
        plan_changelog(repo.path, "docs/CHANGELOG.md", SECTION),
    ]
    patch = "".join(change.diff for change in changes)
    assert "--- /dev/null\n+++ b/docs/CHANGELOG.md\n" in patch
    repo.git("apply", "--check", "-", input_text=patch)
    repo.git("apply", "-", input_text=patch)
    applied = {c.path: (repo.path / c.path).read_text() for c in changes}
    repo.git("checkout", "--", "pyproject.toml")
    (repo.path / "docs" / "CHANGELOG.md").unlink()
    write_file_changes(repo.path, changes)
    assert {c.path: (repo.path / c.path).read_text() for c in changes} == applied


def test_write_is_all_or_nothing(tmp_path: Path) -> None:
    changes = [
        FileChange(path="a.txt", old_text=None, new_text="a"),
        FileChange(path="b.txt", old_text=None, new_text="b"),
    ]
    (tmp_path / "b.txt").write_text("appeared meanwhile")
    with pytest.raises(FileChangedError) as caught:
        write_file_changes(tmp_path, changes)
    assert caught.value.path == "b.txt"
    assert not (tmp_path / "a.txt").exists()


def test_undo_restores_and_deletes_then_is_idempotent(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("old")
    changes = [
        FileChange(path="pyproject.toml", old_text="old", new_text="new"),
        FileChange(path="CHANGELOG.md", old_text=None, new_text="# Changelog\n"),
    ]
    write_file_changes(tmp_path, changes)
    undone = undo_file_changes(tmp_path, changes)
    assert undone.description == "restored pyproject.toml, CHANGELOG.md"
    assert (tmp_path / "pyproject.toml").read_text() == "old"
    assert not (tmp_path / "CHANGELOG.md").exists()
    assert undo_file_changes(tmp_path, changes).description == "no file to restore"


def test_undo_refuses_a_file_edited_after_the_release_wrote_it(tmp_path: Path) -> None:
    changes = [
        FileChange(path="a.txt", old_text=None, new_text="release"),
        FileChange(path="b.txt", old_text=None, new_text="release"),
    ]
    write_file_changes(tmp_path, changes)
    (tmp_path / "b.txt").write_text("edited by hand")
    with pytest.raises(UndoRefusedError, match=r"b\.txt"):
        undo_file_changes(tmp_path, changes)
    assert (tmp_path / "a.txt").read_text() == "release"  # checked all before touching any
