"""The oracle: on real fixture histories, Devora's next version equals commitizen's."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from devora.tools.release import (
    BumpRules,
    Increment,
    Prerelease,
    TagFormat,
    compute_next_version,
    open_repository,
    parse_version,
)
from devora.tools.release import _errors as errors

from .helpers import GitFixture, init_repo, require

HISTORIES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "histories.yaml").read_text(encoding="utf-8")
)
# commitizen installed next to the running Python (the venv), else on PATH.
CZ = Path(sys.executable).parent / "cz"
if not CZ.exists():
    CZ = Path(shutil.which("cz") or CZ)


def build_history(path: Path, case: dict[str, Any]) -> GitFixture:
    """Replay a fixture history into a new repository."""
    repo = init_repo(path)
    for step in case["history"]:
        if "commit" in step:
            repo.commit(step["commit"])
        else:
            repo.tag(step["tag"])
    return repo


def commitizen_next(repo: GitFixture, case: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    """Ask commitizen for the next version of the same history, with the same settings."""
    tag_format = case.get("tag_format", "v{version}").replace("{version}", "${version}")
    mvz = "true" if case.get("major_version_zero") else "false"
    # Left untracked: it must not be a commit of the history.
    (repo.path / ".cz.toml").write_text(
        "[tool.commitizen]\n"
        'name = "cz_conventional_commits"\n'
        f'tag_format = "{tag_format}"\n'
        'version_scheme = "semver2"\n'
        'version_provider = "scm"\n'
        f"major_version_zero = {mvz}\n",
        encoding="utf-8",
    )
    argv = [str(CZ), "bump", "--dry-run", "--get-next", "--yes"]
    if case.get("increment"):
        argv += ["--increment", case["increment"]]
    if case.get("prerelease"):
        argv += ["--prerelease", case["prerelease"]]
    if case.get("version"):
        argv.append(str(case["version"]))
    return subprocess.run(
        argv, cwd=repo.path, capture_output=True, text=True, timeout=60, check=False
    )


async def devora_next(repo: GitFixture, case: dict[str, Any]) -> str:
    """Devora's next version for the history, through the real git wrapper."""
    git = await open_repository(repo.path)
    tag_format = TagFormat(case.get("tag_format", "v{version}"))
    last = await git.last_release_tag(tag_format)
    commits = await git.commits_since(last.name if last else None)
    result = compute_next_version(
        commits,
        current=parse_version(last.version) if last else None,
        last_tag=last.name if last else None,
        rules=BumpRules(major_version_zero=bool(case.get("major_version_zero"))),
        increment=Increment(case["increment"]) if case.get("increment") else None,
        prerelease=Prerelease(case["prerelease"]) if case.get("prerelease") else None,
        version=str(case["version"]) if case.get("version") else None,
    )
    if "non_conventional" in case:
        assert len(result.non_conventional) == case["non_conventional"]
    return result.version


@pytest.mark.parametrize("case", HISTORIES, ids=[case["name"] for case in HISTORIES])
async def test_next_version_matches_commitizen(tmp_path: Path, case: dict[str, Any]) -> None:
    require(CZ.exists(), f"commitizen is not installed at {CZ} (pip install commitizen)")
    repo = build_history(tmp_path / "repo", case)
    oracle = commitizen_next(repo, case)
    if "expected_error" in case:
        with pytest.raises(getattr(errors, case["expected_error"])):
            await devora_next(repo, case)
        assert oracle.returncode != 0, oracle.stdout
        assert case["cz_error"] in oracle.stdout + oracle.stderr
        return
    assert oracle.returncode == 0, oracle.stderr
    assert oracle.stdout.strip() == str(case["expected"]), "commitizen disagrees with the fixture"
    assert await devora_next(repo, case) == str(case["expected"])
