"""The release workflow's version against commitizen's, on the shared fixture histories.

The tool layer checks every history (tests/tools/release/test_bump_oracle.py); this runs
one history per option through the whole workflow (a dry-run of `release`, options as the CLI passes
them) and asks `cz bump --dry-run --get-next` on the same repository afterwards.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from release_repos import git

from devora.engine import Engine
from devora.store import open_store
from devora.workflows.release import ReleasePlan, release
from tests.conftest import require

# One history per way the workflow feeds the computation (the tool layer checks them all).
WIRING = {
    "feat makes a minor",
    "0.x breaking with major_version_zero stays 0.x",
    "first release counts from 0.0.0",
    "next pre-release counts up",
    "non-conventional commits are listed, not counted",
    "increment with prerelease",
    "explicit version",
    "custom tag format",
    "no commits since the last tag",
}
HISTORIES: list[dict[str, Any]] = [
    case
    for case in yaml.safe_load(
        (Path(__file__).parents[2] / "tools" / "release" / "histories.yaml").read_text("utf-8")
    )
    if case["name"] in WIRING
]
CZ = Path(sys.executable).parent / "cz"
if not CZ.exists():
    CZ = Path(shutil.which("cz") or CZ)


def build(path: Path, case: dict[str, Any]) -> None:
    path.mkdir()
    git(path, "init", "--quiet", "--initial-branch=main")
    git(path, "config", "user.name", "Devora Test")
    git(path, "config", "user.email", "test@devora.invalid")
    if case.get("major_version_zero"):
        (path / "devora.toml").write_text("[release]\nmajor_version_zero = true\n")
        git(path, "add", "devora.toml")
        git(path, "commit", "--quiet", "-m", "chore: release config")
    for step in case["history"]:
        if "commit" in step:
            git(
                path,
                "commit",
                "--quiet",
                "--allow-empty",
                "--cleanup=verbatim",
                "-m",
                step["commit"],
            )
        else:
            git(path, "tag", "-a", "-m", step["tag"], step["tag"])


def devora_version(path: Path, home: Path, case: dict[str, Any]) -> tuple[str | None, str]:
    inputs: dict[str, Any] = {"path": str(path), "push": False}
    for option in ("increment", "prerelease", "version", "tag_format"):
        if case.get(option):
            inputs[option] = str(case[option])
    store = open_store(home=home)
    try:
        result = asyncio.run(Engine(store).run(release, inputs, dry_run=True))
    finally:
        store.close()
    if result.status.value != "succeeded":
        return None, result.error.type if result.error else ""
    plan = result.steps["version"].output
    assert isinstance(plan, ReleasePlan)
    return plan.version, ""


def commitizen_version(path: Path, case: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    tag_format = case.get("tag_format", "v{version}").replace("{version}", "${version}")
    mvz = "true" if case.get("major_version_zero") else "false"
    (path / ".cz.toml").write_text(
        "[tool.commitizen]\n"
        'name = "cz_conventional_commits"\n'
        f'tag_format = "{tag_format}"\n'
        'version_scheme = "semver2"\n'
        'version_provider = "scm"\n'
        f"major_version_zero = {mvz}\n"
    )
    argv = [str(CZ), "bump", "--dry-run", "--get-next", "--yes"]
    if case.get("increment"):
        argv += ["--increment", case["increment"]]
    if case.get("prerelease"):
        argv += ["--prerelease", case["prerelease"]]
    if case.get("version"):
        argv.append(str(case["version"]))
    return subprocess.run(argv, cwd=path, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("case", HISTORIES, ids=[case["name"] for case in HISTORIES])
def test_the_workflow_computes_what_commitizen_computes(
    case: dict[str, Any], tmp_path: Path
) -> None:
    require(CZ.exists(), "commitizen (cz) is not installed: pip install commitizen")
    path = tmp_path / "repo"
    build(path, case)

    version, error = devora_version(path, tmp_path / ".devora", case)
    oracle = commitizen_version(path, case)

    if "expected_error" in case:
        assert version is None and error.endswith(case["expected_error"]), (version, error)
        assert oracle.returncode != 0, oracle.stdout
        return
    assert oracle.returncode == 0, oracle.stdout + oracle.stderr
    assert version == str(case["expected"]) == oracle.stdout.strip().splitlines()[-1]
