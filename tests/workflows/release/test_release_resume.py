"""A release killed (SIGKILL) after a step did its work but before its result was journaled
resumes without doing the work twice."""

from __future__ import annotations

import pytest
from release_repos import GIT_ENV, Project, dumps, finished, git

from tests.cli.harness import Devora, json_lines


@pytest.mark.parametrize("step", ["changelog", "tag", "publish"])
def test_a_crash_before_the_result_is_journaled_resumes_cleanly(
    devora: Devora, project: Project, step: str
) -> None:
    project.commit("feat: survive crashes")
    start = project.head()

    crashed = devora(
        "run",
        "release",
        str(project.path),
        "--json",
        timeout=120,
        DEVORA_CRASH_AT=f"before_commit:{step}",
        **GIT_ENV,
    )
    assert crashed.returncode == -9, crashed.stdout + crashed.stderr
    run_id = json_lines(crashed.stdout)[0]["run_id"]

    resumed = devora("resume", run_id, "--json", timeout=120, **GIT_ENV)

    run = finished(resumed.stdout, resumed.stderr)
    assert resumed.returncode == 0 and run["status"] == "succeeded", dumps(run)
    assert git(project.path, "rev-list", "--count", f"{start}..HEAD").strip() == "1"
    assert git(project.path, "rev-parse", "v1.1.0^{commit}").strip() == project.head()
    assert project.remote_refs()["refs/heads/main"] == project.head()
    changelog = (project.path / "CHANGELOG.md").read_text()
    assert changelog.count("## 1.1.0") == 1
    assert project.status() == ""
    if step == "tag":
        assert "resumed: adopted release commit" in resumed.stdout
