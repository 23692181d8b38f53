"""Every bad input of a release: one clear reason, a failing exit, the repository untouched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from release_repos import GIT_ENV, Project, dumps, finished, git

from tests.cli.harness import Devora, assert_one_clear_error, no_runs


def assert_refused(run: dict[str, Any], code: int, step: str, *fragments: str) -> None:
    assert code == 1, dumps(run)
    assert run["status"] == "failed", dumps(run)
    assert run["error"]["step"] == step, dumps(run)
    for fragment in fragments:
        assert fragment in run["error"]["message"], dumps(run["error"])
    assert run["error"].get("hint"), dumps(run["error"])


def release(devora: Devora, path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = devora("run", "release", str(path), *args, "--json", timeout=120, **GIT_ENV)
    return result.returncode, finished(result.stdout, result.stderr)


def test_not_a_git_repository(devora: Devora, tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "README.md").write_text("not versioned\n")

    result = devora("run", "release", str(folder), "--json", **GIT_ENV)

    assert_one_clear_error(result, "path:", f"{folder} is not a git repository")
    assert no_runs(devora)
    assert [p.name for p in folder.iterdir()] == ["README.md"]


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_a_path_that_is_not_a_directory(devora: Devora, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "nowhere"
    if kind == "file":
        path.write_text("a file\n")
    result = devora("run", "release", str(path), "--json", **GIT_ENV)
    problem = "does not exist" if kind == "missing" else "is not a directory"
    assert_one_clear_error(result, f"path: {path} {problem}")
    assert no_runs(devora)


def test_a_dirty_working_tree(devora: Devora, project: Project) -> None:
    project.commit("feat: x")
    project.write("pyproject.toml", "edited but not committed\n")
    project.write("notes.txt", "untracked\n")
    before = project.snapshot()

    code, run = release(devora, project.path)

    assert_refused(run, code, "validate", "not clean", "pyproject.toml", "notes.txt")
    assert project.snapshot() == before


def test_no_commits_since_the_last_tag(devora: Devora, project: Project) -> None:
    before = project.snapshot()

    code, run = release(devora, project.path)

    assert_refused(run, code, "version", "v1.0.0")
    assert "no commits" in run["error"]["message"].lower()
    assert project.snapshot() == before


def test_commits_that_change_nothing_are_not_a_release(devora: Devora, project: Project) -> None:
    project.commit("docs: typo")
    project.commit("chore: bump a dev tool")
    before = project.snapshot()

    code, run = release(devora, project.path)

    assert code == 1 and run["error"]["step"] == "version", dumps(run)
    assert project.snapshot() == before


@pytest.mark.parametrize("bad_tag", ["v1.2", "v2.x.0"])
def test_a_release_tag_that_is_not_a_version(
    devora: Devora, project: Project, bad_tag: str
) -> None:
    project.commit("feat: x")
    project.tag(bad_tag)
    before = project.snapshot()

    code, run = release(devora, project.path)

    assert_refused(run, code, "validate", bad_tag)
    assert project.snapshot() == before


def test_not_on_the_configured_release_branch(devora: Devora, project: Project) -> None:
    project.write("devora.toml", '[release]\nbranch = "stable"\n')
    project.commit("feat: x", "devora.toml")
    before = project.snapshot()

    code, run = release(devora, project.path)

    assert_refused(run, code, "validate", "on branch 'main'", "'stable'")
    assert project.snapshot() == before


def test_an_unknown_config_key(devora: Devora, project: Project) -> None:
    with (project.path / "pyproject.toml").open("a") as file:
        file.write('\n[tool.devora.release]\nbrnach = "main"\n')
    project.commit("feat: config", "pyproject.toml")
    before = project.snapshot()

    code, run = release(devora, project.path)

    assert code == 1 and "brnach" in run["error"]["message"], dumps(run)
    assert project.snapshot() == before


def test_no_such_remote(devora: Devora, project: Project) -> None:
    project.commit("feat: x")
    before = project.snapshot()

    code, run = release(devora, project.path, "--remote", "upstream")

    assert_refused(run, code, "validate", "no remote named 'upstream'")
    assert project.snapshot() == before


def test_a_version_file_without_a_version(devora: Devora, project: Project) -> None:
    project.write("src/demo/about.py", "NAME = 'demo'\n")
    project.commit("feat: about", "src/demo/about.py")
    before = project.snapshot()

    code, run = release(devora, project.path, "--version-files", '["src/demo/about.py"]')

    assert code == 1 and run["error"]["step"] == "validate", dumps(run)
    assert "__version__" in run["error"]["message"]
    assert project.snapshot() == before


def test_an_explicit_version_below_the_last_release(devora: Devora, project: Project) -> None:
    project.commit("feat: x")
    before = project.snapshot()

    code, run = release(devora, project.path, "--version", "0.9.0")

    assert code == 1 and run["error"]["step"] == "version", dumps(run)
    assert "0.9.0" in run["error"]["message"]
    assert project.snapshot() == before


def test_an_invalid_increment_is_refused_before_any_run(devora: Devora, project: Project) -> None:
    result = devora(
        "run", "release", str(project.path), "--increment", "HUGE", timeout=60, **GIT_ENV
    )

    assert result.returncode == 2
    assert result.stderr.startswith("Error: invalid input for workflow 'release': increment")
    assert not (devora.home / "devora.db").exists() or "HUGE" not in git(
        project.path, "log", "--format=%s"
    )


def test_a_remote_branch_ahead_of_the_local_one(
    devora: Devora, project: Project, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(project.remote), str(other))
    git(
        other,
        "-c",
        "user.name=O",
        "-c",
        "user.email=o@x",
        "commit",
        "--allow-empty",
        "-qm",
        "fix: theirs",
    )
    git(other, "push", "--quiet", "origin", "main")
    project.commit("feat: ours")
    before = project.snapshot()

    code, run = release(devora, project.path)

    assert_refused(run, code, "validate", "origin/main has commits that main does not have")
    assert project.snapshot() == before


def test_credentials_in_the_remote_url_are_never_shown(devora: Devora, project: Project) -> None:
    git(project.path, "remote", "set-url", "origin", f"file://ci-bot:t0ken-123@{project.remote}")
    project.commit("feat: x")

    result = devora("run", "release", str(project.path), "--dry-run", timeout=120, **GIT_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "file://***@" in result.stdout
    assert "t0ken-123" not in result.stdout + result.stderr
    stored = b"".join(p.read_bytes() for p in devora.home.rglob("*") if p.is_file())
    assert b"t0ken-123" not in stored
