"""Real git repositories (and bare remotes on disk) for the release workflow tests."""

from __future__ import annotations

import json
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.cli.harness import Devora, json_lines
from tests.workflows.conftest import GIT_ENV

__all__ = ["GIT_ENV", "Project", "finished", "git", "make_project", "run_release"]


def git(cwd: Path, *args: str, input_text: str | None = None) -> str:
    """Run git and return stdout; fail the test when git fails."""
    result = subprocess.run(
        ["git", *args], cwd=cwd, input=input_text, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout


@dataclass
class Project:
    """A working tree on branch main with a bare remote `origin`."""

    path: Path
    remote: Path

    def write(self, relative: str, text: str) -> None:
        file = self.path / relative
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")

    def commit(self, message: str, *paths: str) -> str:
        """Commit these (already written) paths, or a new file, with a full message."""
        if not paths:
            paths = (f"change-{len(self.log())}.txt",)
            self.write(paths[0], message)
        git(self.path, "add", "--", *paths)
        git(self.path, "commit", "--quiet", "--cleanup=verbatim", "-F", "-", input_text=message)
        return self.head()

    def tag(self, name: str) -> None:
        git(self.path, "tag", "-a", "-m", f"release {name}", name)

    def push_all(self) -> None:
        git(self.path, "push", "--quiet", "origin", "main", "--tags")

    def head(self) -> str:
        return git(self.path, "rev-parse", "HEAD").strip()

    def log(self) -> list[str]:
        out = git(self.path, "log", "--format=%s", "--all") if self._has_commits() else ""
        return out.splitlines()

    def _has_commits(self) -> bool:
        return (
            subprocess.run(
                ["git", "rev-parse", "--verify", "--quiet", "HEAD"],
                cwd=self.path,
                capture_output=True,
                check=False,
            ).returncode
            == 0
        )

    def refs(self) -> dict[str, str]:
        """Every ref of the working repository (branches, tags, remote-tracking refs)."""
        return _refs(self.path)

    def remote_refs(self) -> dict[str, str]:
        """Every ref of the bare remote."""
        return _refs(self.remote)

    def files(self) -> dict[str, str]:
        """The working tree's files (outside .git) and their contents."""
        return {
            str(p.relative_to(self.path)): p.read_text(encoding="utf-8")
            for p in sorted(self.path.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(self.path).parts
        }

    def status(self) -> str:
        return git(self.path, "status", "--porcelain=v1", "--untracked-files=all")

    def snapshot(self) -> dict[str, Any]:
        """Everything a release could change: refs here and on the remote, HEAD, status, files."""
        return {
            "refs": self.refs(),
            "remote": self.remote_refs(),
            "head": self.head() if self._has_commits() else None,
            "status": self.status(),
            "files": self.files(),
        }

    def reject_pushes(self) -> None:
        """Install a pre-receive hook on the remote that refuses every push."""
        hook = self.remote / "hooks" / "pre-receive"
        hook.write_text("#!/bin/sh\necho 'releases are frozen' >&2\nexit 1\n", encoding="utf-8")
        hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _refs(path: Path) -> dict[str, str]:
    out = git(path, "for-each-ref", "--format=%(refname) %(objectname)")
    pairs = (line.split(" ", 1) for line in out.splitlines())
    return {name: sha for name, sha in pairs}


def make_project(root: Path, *, version: str = "1.0.0", tagged: bool = True) -> Project:
    """A Python project released as `version` (tag v<version>), pushed to its bare remote."""
    path = root / "project"
    remote = root / "remote.git"
    path.mkdir(parents=True)
    git(path, "init", "--quiet", "--initial-branch=main")
    for key, value in [
        ("user.name", "Devora Test"),
        ("user.email", "test@devora.invalid"),
        ("commit.gpgsign", "false"),
        ("tag.gpgsign", "false"),
    ]:
        git(path, "config", key, value)
    remote.mkdir()
    git(remote, "init", "--quiet", "--bare", "--initial-branch=main")
    git(path, "remote", "add", "origin", str(remote))
    project = Project(path, remote)
    project.write(
        "pyproject.toml",
        f'[project]\nname = "demo"\nversion = "{version}"\n\n[tool.demo]\nflag = true\n',
    )
    project.write("src/demo/__init__.py", f'"""Demo."""\n\n__version__ = "{version}"\n')
    git(path, "add", "--", "pyproject.toml", "src/demo/__init__.py")
    git(path, "commit", "--quiet", "-m", "feat: first version")
    if tagged:
        project.tag(f"v{version}")
    project.push_all()
    return project


def run_release(devora: Devora, project: Project, *args: str) -> tuple[int, dict[str, Any], str]:
    """`devora run release PATH ARGS --json`: exit code, the run.finished data, all stdout."""
    result = devora("run", "release", str(project.path), *args, "--json", timeout=120, **GIT_ENV)
    return result.returncode, finished(result.stdout, result.stderr), result.stdout


def finished(stdout: str, stderr: str = "") -> dict[str, Any]:
    """The data of the top-level run.finished event."""
    events = [
        e for e in json_lines(stdout) if e["kind"] == "run.finished" and "." not in e["run_id"]
    ]
    assert events, f"no run.finished event:\n{stdout}\n{stderr}"
    data: dict[str, Any] = events[-1]["data"]
    data["run_id"] = events[-1]["run_id"]
    return data


def dumps(value: Any) -> str:
    """Readable JSON for assertion messages."""
    return json.dumps(value, indent=1, default=str)
