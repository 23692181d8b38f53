"""feature-development on a project nobody here wrote: six 1.16.0 from PyPI, git init'd,
its own ~200 tests as the suite that must keep passing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.harness import Devora, finished_event
from tests.fixtures.project_env import link_project_environment
from tests.llm.harness import model_env
from tests.llm.scripted_server import openai_reply, scripted_server
from tests.tools.bisect.history import git
from tests.workflows.feature_development.conftest import answer, no_model, writes

pytestmark = pytest.mark.slow

FEATURE = '\n\ndef is_py3():\n    """True on Python 3."""\n    return PY3\n'
TEST = "import six\n\n\ndef test_ac1_is_py3():\n    assert six.is_py3() is True\n"
PRD = {
    "title": "six.is_py3()",
    "problem": "Callers compare six.PY3 by hand.",
    "user_stories": [{"as_a": "library user", "i_want": "six.is_py3()", "so_that": "it reads"}],
    "acceptance_criteria": [
        {"id": "AC1", "given": "Python 3", "when": "six.is_py3() is called", "then": "True"}
    ],
}
PLAN = {"tasks": [{"id": "T1", "title": "add is_py3", "squad": "backend", "files": ["six.py"]}]}
DESIGN = {"summary": "one function", "components": [{"name": "six.is_py3", "change": "new"}]}


def test_a_feature_added_to_six(devora: Devora, tmp_path: Path, sdist: Path) -> None:
    repo = tmp_path / "six"
    shutil.copytree(sdist, repo)
    git(repo, "init", "-q", "-b", "main")
    (repo / ".gitignore").write_text(".venv\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "six 1.16.0")
    link_project_environment(repo)
    source = (repo / "six.py").read_text()
    script = [
        answer(PRD), answer(PLAN), answer(DESIGN),
        writes("c1", "six.py", source + FEATURE), openai_reply("is_py3 added"),
        writes("c2", "test_feature.py", TEST), openai_reply("AC1 tested"),
    ]  # fmt: skip
    with scripted_server(script) as server:
        env = no_model() | model_env(server)
        first = devora("run", "feature-development", str(repo), "--request",
                       "Add six.is_py3()", "--json", timeout=600, **env)  # fmt: skip
        run_id = finished_event(first)["run_id"]
        designed = devora("approve", run_id, "approve_design", timeout=1200, **env)
        assert designed.returncode == 3, designed.stdout[-3000:] + designed.stderr[-3000:]
        kept = devora("approve", run_id, "review", timeout=600, **env)
        assert kept.returncode == 0, kept.stdout[-3000:] + kept.stderr[-3000:]
    assert "def with_metaclass(meta, *bases)" in json.dumps(server.received[0].body)
    report = json.loads((devora.home / "artifacts" / run_id / "test-report.json").read_text())
    [ac1] = report["criteria"]
    assert ac1["before"] == {"test_feature.py::test_ac1_is_py3": "failed"}
    assert ac1["after"] == {"test_feature.py::test_ac1_is_py3": "passed"}
    assert len(report["baseline"]["passed"]) > 150 and report["broken"] == []
    branch = f"devora/feature-{run_id}"
    assert git(repo, "show", f"{branch}:six.py").endswith(FEATURE)
