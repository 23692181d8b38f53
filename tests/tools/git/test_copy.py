"""Copying a worktree's changes back: links kept inside, never followed out (issue 9 §4)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from devora.tools.git import UnsafeLinkError, check_changed_files, copy_changed_files


def make_tree(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "src").mkdir()
    (path / "src" / "app.py").write_text("x = 1\n")
    (path / "README").write_text("read me\n")
    subprocess.run(["git", "init", "-q"], cwd=path, check=True)
    return path


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    key = tmp_path / "home" / ".ssh" / "id_rsa"
    key.parent.mkdir(parents=True)
    key.write_text("-----BEGIN PRIVATE KEY-----\n")
    return key


def test_a_tracked_file_replaced_by_a_link_out_is_refused_and_nothing_is_copied(
    tmp_path: Path, secret: Path
) -> None:
    worktree, project = make_tree(tmp_path / "wt"), make_tree(tmp_path / "project")
    (worktree / "README").write_text("changed\n")
    (worktree / "src" / "app.py").unlink()
    (worktree / "src" / "app.py").symlink_to(secret)

    with pytest.raises(UnsafeLinkError, match="outside") as refused:
        check_changed_files(worktree, ["README", "src/app.py"])
    assert refused.value.exit_code == 1 and refused.value.hint
    with pytest.raises(UnsafeLinkError):
        copy_changed_files(worktree, project, ["README", "src/app.py"])
    assert (project / "src" / "app.py").read_text() == "x = 1\n"
    assert (project / "README").read_text() == "read me\n"  # checked before anything copied


def test_a_file_under_a_directory_link_out_is_refused(tmp_path: Path, secret: Path) -> None:
    worktree, project = make_tree(tmp_path / "wt"), make_tree(tmp_path / "project")
    (worktree / "keys").symlink_to(secret.parent)
    with pytest.raises(UnsafeLinkError):
        copy_changed_files(worktree, project, ["keys/id_rsa"])
    assert not (project / "keys").exists()


def test_links_inside_stay_links_and_a_link_at_the_destination_is_replaced(
    tmp_path: Path, secret: Path
) -> None:
    worktree, project = make_tree(tmp_path / "wt"), make_tree(tmp_path / "project")
    (worktree / "docs").symlink_to("README")
    (worktree / "src" / "app.py").write_text("x = 2\n")
    os.chmod(worktree / "src" / "app.py", 0o750)
    # The project's app.py is a link to the secret: writing through it would change the key.
    (project / "src" / "app.py").unlink()
    (project / "src" / "app.py").symlink_to(secret)
    (worktree / "README").unlink()  # deleted by the change

    copy_changed_files(worktree, project, ["docs", "src/app.py", "README"])

    assert os.readlink(project / "docs") == "README"
    assert not (project / "src" / "app.py").is_symlink()
    assert (project / "src" / "app.py").read_text() == "x = 2\n"
    assert (project / "src" / "app.py").stat().st_mode & 0o777 == 0o750
    assert secret.read_text() == "-----BEGIN PRIVATE KEY-----\n"
    assert not (project / "README").exists()


def test_names_that_climb_out_are_refused(tmp_path: Path) -> None:
    worktree, project = make_tree(tmp_path / "wt"), make_tree(tmp_path / "project")
    with pytest.raises(UnsafeLinkError):
        copy_changed_files(worktree, project, ["../project/README"])
