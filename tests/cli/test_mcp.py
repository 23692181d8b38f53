"""`devora mcp` driven by the MCP SDK's own client over stdio: the CLI's operations as tools."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from devora.squads import os_account
from devora.store import open_store
from tests.cli.harness import TOYS, Devora

pytestmark = pytest.mark.slow


@pytest.fixture
def devora(tmp_path: Path) -> Devora:
    home = tmp_path / "project" / ".devora"
    home.parent.mkdir(parents=True)
    return Devora(home=home, counter=tmp_path / "ran.txt")


@asynccontextmanager
async def mcp_session(devora: Devora) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "devora", "mcp"],
        env=devora.env(),
        cwd=str(devora.home.parent),
    )
    with (devora.home.parent / "mcp-stderr.txt").open("w") as errlog:
        async with (
            stdio_client(params, errlog=errlog) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            yield session


async def call(session: ClientSession, tool: str, **arguments: Any) -> Any:
    """The tool's result as data; an error result fails the test with its text."""
    result = await session.call_tool(tool, arguments)
    text = "".join(getattr(block, "text", "") for block in result.content)
    assert not result.is_error, text
    data = result.structured_content
    if isinstance(data, dict) and set(data) == {"result"}:
        return data["result"]  # how the SDK wraps a list
    return data


async def refused(session: ClientSession, tool: str, **arguments: Any) -> str:
    """The text of a tool error (the call must fail)."""
    result = await session.call_tool(tool, arguments)
    text = "".join(getattr(block, "text", "") for block in result.content)
    assert result.is_error, text
    assert "Traceback" not in text
    return text


def _runs(devora: Devora) -> list[str]:
    if not (devora.home / "devora.db").exists():
        return []
    with open_store(home=devora.home) as store:
        return [r.id for r in store.list_runs(limit=50)]


async def test_tools_are_listed_with_their_arguments(devora: Devora) -> None:
    async with mcp_session(devora) as session:
        listed = await session.list_tools()
        tools = {tool.name: tool for tool in listed.tools}
        assert {
            "list_workflows", "start_run", "run_status", "tasks", "approve", "complete",
            "cancel", "resume",
        } <= set(tools)  # fmt: skip
        assert tools["start_run"].input_schema["required"] == ["workflow"]
        names = [w["name"] for w in await call(session, "list_workflows")]
        assert "quality-gate" in names
        shown = await call(session, "show_workflow", workflow=f"{TOYS}:gated")
        assert [s["id"] for s in shown["steps"]] == ["prepare", "deploy", "release_notes"]
        assert shown["input_schema"]["properties"]["release"]["default"] == "1.0"


async def test_start_approve_complete_a_gated_run(devora: Devora) -> None:
    async with mcp_session(devora) as session:
        started = await call(
            session, "start_run", workflow=f"{TOYS}:gated", inputs={"release": "2.1"}
        )
        run_id = started["run_id"]
        status = await call(session, "run_status", run=run_id, wait_seconds=60)
        assert status["status"] == "waiting", status
        assert status["inputs"] == {"release": "2.1"}
        assert status["steps"]["prepare"]["output"] == "build-2.1"
        waiting = await call(session, "tasks")
        assert [(t["run_id"], t["step_id"], t["kind"]) for t in waiting] == [
            (run_id, "deploy", "approval")
        ]

        answered = await call(session, "approve", run=run_id[:-2], step="deploy", comment="ok")
        assert answered["run_id"] == run_id and answered["answered_by"] == os_account()
        status = await call(session, "run_status", run=run_id, wait_seconds=60)
        assert status["status"] == "waiting" and "release_notes" in status["waiting"], status
        schema = status["waiting"]["release_notes"]["output_schema"]
        assert schema["required"] == ["text", "reviewers"]

        bad = await refused(
            session, "complete", run=run_id, step="release_notes", output={"text": "x"}
        )
        assert "reviewers" in bad and "Hint:" in bad
        await call(
            session,
            "complete",
            run=run_id,
            step="release_notes",
            output={"text": "notes", "reviewers": 2},
        )
        status = await call(session, "run_status", run=run_id, wait_seconds=60)
    assert status["status"] == "succeeded", status
    assert status["steps"]["release_notes"]["output"] == "notes (2 reviewers)"
    assert devora.ran() == ["prepare", "deploy", "release_notes"]  # nothing ran twice
    with open_store(home=devora.home) as store:
        answers = store.answers(run_id)
    assert {a.answered_by for a in answers.values()} == {os_account()}


async def test_bad_input_is_refused_naming_the_field_and_records_nothing(devora: Devora) -> None:
    async with mcp_session(devora) as session:
        text = await refused(
            session, "start_run", workflow=f"{TOYS}:retrying", inputs={"failures": "many"}
        )
        assert "failures" in text and "Hint:" in text
        text = await refused(session, "start_run", workflow="no-such-workflow")
        assert "unknown workflow 'no-such-workflow'" in text
        text = await refused(session, "run_status", run="nope-nope")
        assert "nope-nope" in text
        text = await refused(session, "list_runs", status="sleeping")
        assert "unknown status 'sleeping'" in text
    assert _runs(devora) == []


async def test_a_person_not_among_the_approvers_is_refused(devora: Devora) -> None:
    (devora.home.parent / "devora.toml").write_text('[squads.devops]\napprovers = ["alice"]\n')
    async with mcp_session(devora) as session:
        run_id = (await call(session, "start_run", workflow=f"{TOYS}:gated"))["run_id"]
        assert (await call(session, "run_status", run=run_id, wait_seconds=60))["status"] == (
            "waiting"
        )
        text = await refused(session, "approve", run=run_id, step="deploy")
        assert f"{os_account()} is not an approver of the devops squad" in text
        text = await refused(session, "complete", run=run_id, step="deploy", output={})
        assert "waits for approval, not input" in text
    with open_store(home=devora.home) as store:
        assert store.answers(run_id) == {}
        assert store.get_run(run_id).status.value == "waiting"


async def test_the_run_outlives_the_session(devora: Devora) -> None:
    async with mcp_session(devora) as session:
        run_id = (await call(session, "start_run", workflow=f"{TOYS}:gated"))["run_id"]
    # the assistant went away at once; the background run still reaches its gate
    async with mcp_session(devora) as session:
        status = await call(session, "run_status", run=run_id, wait_seconds=60)
    assert status["status"] == "waiting", status


def _until_ran(devora: Devora, step: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while step not in devora.ran() and time.monotonic() < deadline:
        time.sleep(0.1)


async def test_cancel_a_running_and_a_waiting_run_then_resume(devora: Devora) -> None:
    async with mcp_session(devora) as session:
        running = await call(session, "start_run", workflow=f"{TOYS}:chain", inputs={"slow": 60})
        await asyncio.to_thread(_until_ran, devora, "slow")
        asked = await call(session, "cancel", run=running["run_id"])
        assert asked["cancel_requested"] is True and asked["status"] == "running", asked
        status = await call(session, "run_status", run=running["run_id"], wait_seconds=30)
        assert status["status"] == "cancelled", status
        assert "last" not in status["steps"] and "last" not in devora.ran()  # stopped at slow

        gated = (await call(session, "start_run", workflow=f"{TOYS}:gated"))["run_id"]
        assert (await call(session, "run_status", run=gated, wait_seconds=60))["status"] == (
            "waiting"
        )
        cancelled = await call(session, "cancel", run=gated[:-2])
        assert cancelled == {
            "run_id": gated,
            "status": "cancelled",
            "cancel_requested": False,
            "follow": "run_status(run, wait_seconds=...) until it is cancelled",
        }
        again = await refused(session, "cancel", run=gated)
        assert "is cancelled and cannot be cancelled" in again and "Hint:" in again
        resumed = await call(session, "resume", run=gated)
        assert resumed["run_id"] == gated
        status = await call(session, "run_status", run=gated, wait_seconds=60)
    assert status["status"] == "waiting" and "deploy" in status["waiting"], status
    assert devora.ran().count("prepare") == 1  # the resumed run reused its recorded step
