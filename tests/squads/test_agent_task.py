"""Agent steps end to end through `devora`: a scripted LLM server, or a person without one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.harness import Devora, json_lines
from tests.llm.harness import TEST_KEY, serve
from tests.llm.scripted_server import ScriptedServer, openai_reply

WORKFLOWS = str(Path(__file__).with_name("agent_workflows.py"))
REVIEW = f"{WORKFLOWS}:review"
GOOD = json.dumps({"verdict": "approve", "comments": ["small and clear"]})


@pytest.fixture
def devora(tmp_path: Path) -> Devora:
    return Devora(home=tmp_path / ".devora")


def test_an_agent_step_runs_against_the_model(
    devora: Devora, scripted: list[ScriptedServer]
) -> None:
    env = serve(scripted, openai_reply("not json at all"), openai_reply(GOOD))
    result = devora("run", REVIEW, "--json", **env)
    assert result.returncode == 0, result.stderr
    assert json_lines(result.stdout)[-1]["data"]["outputs"] == {
        "review": {"verdict": "approve", "comments": ["small and clear"]}
    }
    run_id = json_lines(result.stdout)[-1]["run_id"]
    status = json.loads(devora("status", run_id, "--json").stdout)
    assert status["summary"]["llm_calls"] == 2  # the invalid answer was re-asked
    assert status["summary"]["llm_input_tokens"] > 0
    logs = devora("logs", run_id).stdout
    assert "Review this diff" in logs  # prompts and answers are step logs
    assert TEST_KEY not in logs and TEST_KEY not in result.stdout


def test_without_a_model_the_step_becomes_a_human_task(devora: Devora, tmp_path: Path) -> None:
    waiting = devora("run", REVIEW, "--json")
    assert waiting.returncode == 3, waiting.stderr
    run_id = json_lines(waiting.stdout)[-1]["run_id"]
    [task] = json.loads(devora("tasks", "--json").stdout)
    assert (task["run_id"], task["step_id"], task["kind"], task["squad"]) == (
        run_id,
        "review",
        "input",
        "qa",
    )
    assert "Review this diff" in task["prompt"] and "DEVORA_MODEL" in task["prompt"]
    assert task["output_schema"]["required"] == ["verdict", "comments"]
    answer = tmp_path / "review.json"
    answer.write_text(GOOD)
    done = devora("complete", run_id, "review", "--output", str(answer))
    assert done.returncode == 0, done.stderr
    status = json.loads(devora("status", run_id, "--json").stdout)
    assert status["outputs"]["review"]["verdict"] == "approve"


def test_a_budget_overrun_stops_the_run(devora: Devora, scripted: list[ScriptedServer]) -> None:
    env = serve(scripted, openai_reply("{}", prompt_tokens=40, completion_tokens=30))
    result = devora("run", REVIEW, "--json", DEVORA_MAX_TOKENS="50", **env)
    assert result.returncode == 1
    error = json_lines(result.stdout)[-1]["data"]["error"]
    assert "budget" in error["message"].lower() and error["step"] == "review"


def test_model_without_provider_is_a_clear_error(devora: Devora) -> None:
    result = devora("run", REVIEW, "--json", DEVORA_MODEL="gpt-4o-mini")
    assert result.returncode == 1
    message = json_lines(result.stdout)[-1]["data"]["error"]["message"]
    assert "gpt-4o-mini" in message and "provider" in message


def test_missing_api_key_names_the_variable(devora: Devora) -> None:
    result = devora("run", REVIEW, "--json", DEVORA_MODEL="openai:gpt-4o-mini")
    assert result.returncode == 1
    assert "OPENAI_API_KEY" in json_lines(result.stdout)[-1]["data"]["error"]["message"]


def test_unknown_squad_in_a_step(devora: Devora) -> None:
    result = devora("run", f"{WORKFLOWS}:stray", "--json")
    assert result.returncode == 1
    message = json_lines(result.stdout)[-1]["data"]["error"]["message"]
    assert "unknown squad or agent 'marketing'" in message


def test_unknown_squad_in_the_configuration(devora: Devora, tmp_path: Path) -> None:
    (tmp_path / "devora.toml").write_text('[squads.marketing]\nmodel = "openai:gpt-4o"\n')
    result = devora("squads")
    assert result.returncode == 2
    assert "unknown squad 'marketing'" in result.stderr and "Hint:" in result.stderr


def test_squads_and_config_commands(devora: Devora, tmp_path: Path) -> None:
    (tmp_path / "devora.toml").write_text(
        '[llm]\nmodel = "ollama:llama3.1"\n'
        '[squads.qa]\nmodel = "anthropic:claude-3-5-haiku-latest"\napprovers = ["alice"]\n'
        '[[squads.qa.contacts]]\nname = "qa-hook"\nurl = "https://hooks.example.com/T000/SECRET"\n'
    )
    squads = {s["name"]: s for s in json.loads(devora("squads", "--json").stdout)}
    assert sorted(squads) == sorted(
        ["business", "frontend", "backend", "data", "devops", "qa", "performance", "documentation"]
    )
    reviewer = next(a for a in squads["qa"]["agents"] if a["key"] == "code-reviewer")
    assert reviewer["model"] == "anthropic:claude-3-5-haiku-latest"
    writer = squads["documentation"]["agents"][0]
    assert writer["model"] == "ollama:llama3.1"
    assert squads["qa"]["approvers"] == ["alice"]
    shown = devora("config", "--json").stdout
    assert "SECRET" not in shown and "hooks.example.com/***" in shown
    assert "SECRET" not in devora("squads", "--json").stdout


def test_a_coding_agent_step_fixes_a_bug_on_its_branch(
    devora: Devora, scripted: list[ScriptedServer], tmp_path: Path
) -> None:
    from tests.agents.gitrepo import CALC_FIXED, git, make_repo

    repo = make_repo(tmp_path / "repo")
    env = serve(
        scripted,
        openai_reply("Looking.", tool_calls=[("c1", "read_file", {"path": "calc.py"})]),
        openai_reply(tool_calls=[("c2", "write_file", {"path": "calc.py", "content": CALC_FIXED})]),
        openai_reply(tool_calls=[("c3", "run_command", {"argv": ["pytest", "-q"]})]),
        openai_reply("Fixed add(); pytest: 1 passed."),
    )
    result = devora("run", f"{WORKFLOWS}:fix_bug", str(repo), "--json", **env)
    assert result.returncode == 0, result.stderr + result.stdout
    change = json_lines(result.stdout)[-1]["data"]["outputs"]["fix"]
    run_id = json_lines(result.stdout)[-1]["run_id"]
    assert change["branch"] == f"devora/{run_id}"
    assert change["files_changed"] == ["calc.py"]
    assert "a + b" in Path(change["patch_artifact"]).read_text()
    assert "return a - b" in (repo / "calc.py").read_text()  # the user's tree is untouched
    assert git(repo, "status", "--porcelain") == ""
    assert "a + b" in git(repo, "show", f"{change['branch']}:calc.py")


def test_without_a_model_the_coding_step_is_a_human_task(devora: Devora, tmp_path: Path) -> None:
    from tests.agents.gitrepo import make_repo

    repo = make_repo(tmp_path / "repo")
    waiting = devora("run", f"{WORKFLOWS}:fix_bug", str(repo), "--json")
    assert waiting.returncode == 3, waiting.stderr
    [task] = json.loads(devora("tasks", "--json").stdout)
    assert task["step_id"] == "fix" and task["squad"] == "backend"
    assert str(repo) in task["prompt"] and "DEVORA_MODEL" in task["prompt"]
    assert set(task["output_schema"]["required"]) == {"branch", "head_commit", "summary"}


@pytest.mark.parametrize("api", ["anthropic"])
def test_an_agent_step_runs_against_anthropic(
    devora: Devora, scripted: list[ScriptedServer], api: str
) -> None:
    from tests.llm.scripted_server import anthropic_reply

    server = ScriptedServer([anthropic_reply(GOOD)]).start()
    scripted.append(server)
    result = devora(
        "run",
        REVIEW,
        "--json",
        DEVORA_MODEL="anthropic:claude-3-5-haiku-latest",
        DEVORA_LLM_BASE_URL=server.url,
        ANTHROPIC_API_KEY=TEST_KEY,
    )
    assert result.returncode == 0, result.stderr
    assert json_lines(result.stdout)[-1]["data"]["outputs"]["review"]["verdict"] == "approve"


def test_only_the_squads_approvers_may_approve(devora: Devora, tmp_path: Path) -> None:
    from devora.squads import os_account
    from tests.cli.harness import TOYS

    (tmp_path / "devora.toml").write_text('[squads.devops]\napprovers = ["alice"]\n')
    run_id = json_lines(devora("run", f"{TOYS}:gated", "--json").stdout)[-1]["run_id"]
    refused = devora("approve", run_id, "deploy")
    assert refused.returncode == 2
    assert f"{os_account()} is not an approver of the devops squad" in refused.stderr
    mapped = f'[squads.devops]\napprovers = ["alice"]\n[approvers]\nalice = "{os_account()}"\n'
    (tmp_path / "devora.toml").write_text(mapped)
    run_id = json_lines(devora("run", f"{TOYS}:gated", "--json").stdout)[-1]["run_id"]
    approved = devora("approve", run_id, "deploy")
    assert approved.returncode == 3, approved.stderr  # on to the next waiting step
