"""The coding agent end to end: a scripted model edits a real repository and runs pytest."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from devora.agents import AgentLimitError, CodingAgent, CodingResult, CommandPolicy
from devora.llm import MASK, ProviderError, ProviderOptions, Usage
from tests.llm.harness import APIS, TEST_KEY, provider_for, reply
from tests.llm.scripted_server import Reply, scripted_server

from .gitrepo import CALC, CALC_FIXED, git, make_repo


def pytest_policy() -> CommandPolicy:
    """`pytest` allowed, found on PATH (the venv's bin first)."""
    bin_dir = str(Path(sys.executable).parent)
    environ = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    assert shutil.which("pytest", path=environ["PATH"]), "pytest must be installed in the venv"
    return CommandPolicy(allowed=[["pytest"], ["ruff", "check"]], timeout=60, env=environ)


def fix_the_bug_script(api: str) -> list[Reply]:
    return [
        reply(api, "Let me look.", tool_calls=[("c1", "list_files", {})]),
        reply(api, tool_calls=[("c2", "read_file", {"path": "calc.py"})]),
        reply(api, tool_calls=[("c3", "write_file", {"path": "calc.py", "content": CALC_FIXED})]),
        reply(api, tool_calls=[("c4", "run_command", {"argv": ["pytest", "-q"]})]),
        reply(api, "Fixed add() to return a + b.\n\npytest: 1 passed."),
    ]


@pytest.mark.parametrize("api", APIS)
async def test_agent_fixes_a_bug_on_its_own_branch(tmp_path: Path, api: str) -> None:
    repo = make_repo(tmp_path / "repo")
    (repo / "notes.txt").write_text("the user's own uncommitted work\n")
    base = git(repo, "rev-parse", "HEAD").strip()
    status_before = git(repo, "status", "--porcelain")
    lines: list[str] = []
    usage = Usage()
    usage.add("earlier-step", 100, 100, None)

    with scripted_server(fix_the_bug_script(api)) as server:
        options = ProviderOptions(usage=usage, on_log=lines.append)
        async with provider_for(server, api, options) as provider:
            agent = CodingAgent(
                provider, commands=pytest_policy(), worktrees_root=tmp_path / "wt",
                on_log=lines.append,
            )  # fmt: skip
            result = await agent.run(repo, "make test_add pass", run_id="run-42")

    # The branch holds the fix, committed, with a patch against the base.
    assert result.branch == "devora/run-42"
    assert result.worktree == (tmp_path / "wt" / "repo-run-42").resolve()
    assert result.base_commit == base
    assert result.files_changed == ["calc.py"]  # not .pytest_cache, not notes.txt
    assert "-    return a - b" in result.patch and "+    return a + b" in result.patch
    assert git(repo, "show", "devora/run-42:calc.py") == CALC_FIXED
    assert git(repo, "rev-parse", "devora/run-42").strip() == result.head_commit
    assert git(repo, "log", "-1", "--format=%s", "devora/run-42").strip() == (
        "Fixed add() to return a + b."
    )
    assert result.summary.startswith("Fixed add()") and result.iterations == 5
    assert result.commands[0].returncode == 0 and "1 passed" in result.commands[0].output
    assert usage.calls == 6  # the shared usage counts every call
    assert (result.usage.calls, result.usage.total_tokens) == (5, 75)  # this agent's share
    assert list(result.usage.by_model) == [provider.target.spec]
    assert CodingResult.model_validate_json(result.model_dump_json()) == result  # journalable

    # The user's working tree is untouched.
    assert (repo / "calc.py").read_text() == CALC
    assert git(repo, "rev-parse", "HEAD").strip() == base
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert git(repo, "status", "--porcelain") == status_before

    # The model saw the tool results: the file it read, the tests passing.
    last_request = json.dumps(server.received[-1].body)
    assert "return a - b" in last_request and "1 passed" in last_request
    tool_names = {t.get("name") or t["function"]["name"] for t in server.received[0].body["tools"]}
    assert tool_names == {"list_files", "read_file", "search", "write_file", "run_command"}
    assert 'agent tool run_command({"argv": ["pytest", "-q"]}) -> $ pytest -q' in "\n".join(lines)
    assert TEST_KEY not in "\n".join(lines)


async def test_path_escape_is_refused_and_reported_to_the_model(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    victim = tmp_path / "victim.txt"
    script = [
        reply("openai", tool_calls=[
            ("c1", "write_file", {"path": "../../victim.txt", "content": "pwned"}),
            ("c2", "read_file", {"path": str(repo / "calc.py")}),
            ("c3", "run_command", {"argv": ["bash", "-c", "echo pwned > ../victim.txt"]}),
        ]),
        reply("openai", "I could not do it."),
    ]  # fmt: skip
    with scripted_server(script) as server:
        async with provider_for(server, "openai") as provider:
            agent = CodingAgent(provider, worktrees_root=tmp_path / "wt")
            result = await agent.run(repo, "escape", run_id="r-escape")
    answers = [m for m in server.received[1].body["messages"] if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in answers] == ["c1", "c2", "c3"]
    assert "goes outside the worktree" in answers[0]["content"]
    assert "is absolute" in answers[1]["content"]
    assert "not an allowed command" in answers[2]["content"]
    assert not victim.exists()
    assert result.patch == "" and result.files_changed == []
    assert result.head_commit == result.base_commit


async def test_iterations_are_capped_and_partial_work_is_kept(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write = ("t1", "write_file", {"path": "calc.py", "content": "x\n"})
    script = [
        reply("anthropic", tool_calls=[write]),
        reply("anthropic", tool_calls=[("t2", "list_files", {})]),
    ]
    with scripted_server(script) as server:
        async with provider_for(server, "anthropic") as provider:
            agent = CodingAgent(provider, max_iterations=2, worktrees_root=tmp_path / "wt")
            with pytest.raises(AgentLimitError, match="within 2 iterations") as caught:
                await agent.run(repo, "loop forever", run_id="r-loop")
    assert caught.value.branch == "devora/r-loop"
    assert git(repo, "show", "devora/r-loop:calc.py") == "x\n"
    assert (repo / "calc.py").read_text() == CALC


async def test_transcript_of_an_agent_run_masks_secrets(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    (repo / "config.py").write_text(f"API_KEY = '{TEST_KEY}'\n")
    git(repo, "add", "config.py")
    git(repo, "commit", "-q", "-m", "config")
    lines: list[str] = []
    script = [
        reply("openai", tool_calls=[("c1", "read_file", {"path": "config.py"})]),
        reply("openai", "Read it."),
    ]
    with scripted_server(script) as server:
        async with provider_for(server, "openai", ProviderOptions(on_log=lines.append)) as p:
            await CodingAgent(p, worktrees_root=tmp_path / "wt").run(repo, "read", run_id="r-s")
    assert f"prompt tool [c1]: API_KEY = '{MASK}'" in lines
    assert any(line.startswith("agent tool read_file") and MASK in line for line in lines)
    assert TEST_KEY not in "\n".join(lines)


async def test_a_resumed_run_continues_in_its_worktree(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write = ("c1", "write_file", {"path": "feature.py", "content": "FEATURE = 1\n"})
    # The first attempt writes a file, then the provider fails (the script runs out).
    with scripted_server([reply("openai", tool_calls=[write])]) as server:
        async with provider_for(server, "openai") as provider:
            agent = CodingAgent(provider, worktrees_root=tmp_path / "wt")
            with pytest.raises(ProviderError):
                await agent.run(repo, "add a feature", run_id="r-resume")
    # The resumed attempt finds the file and finishes.
    with scripted_server([reply("openai", "Added feature.py.")]) as server:
        async with provider_for(server, "openai") as provider:
            agent = CodingAgent(provider, worktrees_root=tmp_path / "wt")
            result = await agent.run(repo, "add a feature", run_id="r-resume")
    assert result.files_changed == ["feature.py"]
    assert git(repo, "show", "devora/r-resume:feature.py") == "FEATURE = 1\n"
    assert git(repo, "status", "--porcelain") == ""
