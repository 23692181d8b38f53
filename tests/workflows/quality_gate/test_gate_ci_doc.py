"""docs/ci/github-actions.md: its workflow is valid YAML and runs the gate as the CLI takes it."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from gate_projects import REPO, git, init_repo, tool_path

from tests.cli.harness import Devora

DOC = REPO / "docs" / "ci" / "github-actions.md"


def workflow() -> dict[str, Any]:
    block = re.search(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert block is not None
    data = yaml.safe_load(block.group(1))
    assert isinstance(data, dict)
    return data


def test_the_workflow_uploads_the_sarif_the_gate_writes() -> None:
    data = workflow()
    assert data["permissions"] == {
        "contents": "read",
        "security-events": "write",
        "pull-requests": "write",
    }
    steps = data["jobs"]["gate"]["steps"]
    by_name = {step.get("name", step.get("uses")): step for step in steps}
    assert by_name["actions/checkout@v4"]["with"]["fetch-depth"] == 0
    upload = by_name["Upload SARIF to code scanning"]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "gate-report/report.sarif"
    assert "always()" in upload["if"]
    assert "--report-dir gate-report" in by_name["Quality gate"]["run"]


@pytest.mark.slow
def test_its_gate_commands_run_here(devora: Devora, clean: Path) -> None:
    init_repo(clean)
    git(clean, "checkout", "-q", "-b", "feature")
    (clean / "src" / "calc" / "more.py").write_text('"""More."""\n\nX = 1\n', encoding="utf-8")
    git(clean, "add", "-A")
    git(clean, "commit", "-q", "-m", "more")
    git(clean, "update-ref", "refs/remotes/origin/main", "main")
    script = workflow()["jobs"]["gate"]["steps"]
    run = next(step["run"] for step in script if step.get("name") == "Quality gate")
    commands = [line.strip() for line in run.splitlines() if line.strip().startswith("devora ")]
    assert len(commands) == 2
    assert "--changed" not in commands[1]
    env = devora.env(PATH=tool_path(), BASE="main")
    for command in commands[:1]:  # the pull-request one; the other is the same without --changed
        argv = [a.replace('"origin/$BASE"', "origin/main") for a in shlex.split(command)]
        argv = [a.replace("$BASE", "main") for a in argv]
        completed = subprocess.run(
            [*devora.argv(*argv[1:])], cwd=clean, env=env, capture_output=True, text=True,
            timeout=240, check=False,
        )  # fmt: skip
        assert completed.returncode == 0, completed.stdout + completed.stderr
        assert (clean / "gate-report" / "report.sarif").is_file()
