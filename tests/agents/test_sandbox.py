"""The agent's commands in the OS sandbox: each escape seen in issue 9 must now fail.

Real bubblewrap, real git worktrees, real ruff and pytest. In CI bwrap must be installed
(scripts/install-sandbox); locally the tests skip without it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from devora.agents import (
    CodingAgent,
    CommandPolicy,
    SandboxUnavailableError,
    Toolbox,
    create_worktree,
    find_bubblewrap,
    sandbox_confinement,
)
from devora.config import ConfigError, load_config
from devora.errors import EXIT_ENVIRONMENT
from devora.llm import ToolCall
from devora.tools import confined, run_process, scratch_directory
from tests.conftest import require_executable
from tests.llm.harness import provider_for, reply
from tests.llm.scripted_server import scripted_server

from .gitrepo import make_repo

SECRET = "sk-live-sandbox-0123456789"
VENV_BIN = str(Path(sys.executable).parent)


@pytest.fixture(autouse=True)
def _bwrap_installed() -> None:
    require_executable("bwrap", "scripts/install-sandbox, or apt-get install bubblewrap")


@pytest.fixture
def outside() -> Iterator[Path]:
    """A directory outside the worktree on the root filesystem (not the sandbox's /tmp)."""
    path = Path(tempfile.mkdtemp(prefix="devora-outside-", dir="/var/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
async def toolbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Toolbox:
    # The parent holds an API key, as Devora does when its agent runs.
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("PATH", f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}")
    repo = make_repo(tmp_path / "repo")
    worktree = await create_worktree(repo, "sbx", root=tmp_path / "wt")
    policy = CommandPolicy(allowed=[["pytest"], ["ruff", "format"]], timeout=120)
    return Toolbox(worktree.path, policy)


async def call(toolbox: Toolbox, name: str, **arguments: object) -> str:
    return await toolbox.execute(ToolCall(id="c", name=name, arguments=arguments))


def escape_test(outside: Path, port: int) -> str:
    """A test file an agent could write: it tries every escape and records what happened."""
    return f"""\
import json, os, pathlib, socket


def attempt(action):
    try:
        return "done: " + str(action())
    except OSError as error:
        return "failed: " + type(error).__name__


def read_environ(pid):
    return pathlib.Path(f"/proc/{{pid}}/environ").read_bytes().decode(errors="replace")


def test_escape():
    target = pathlib.Path({str(outside / "pwned.txt")!r})
    report = {{
        "write_outside": attempt(lambda: target.write_text("x")),
        "parent_environ": attempt(lambda: read_environ(os.getppid())),
        "devora_environ": attempt(lambda: read_environ({os.getpid()})),
        "init_environ": attempt(lambda: read_environ(1)),
        "own_environ": json.dumps(dict(os.environ)),
        "network": attempt(lambda: socket.create_connection(("127.0.0.1", {port}), timeout=5)),
        "write_inside": attempt(lambda: pathlib.Path("inside.txt").write_text("ok")),
        "home": os.environ.get("HOME"),
    }}
    pathlib.Path("report.json").write_text(json.dumps(report))
"""


async def run_escape_test(toolbox: Toolbox, outside: Path) -> tuple[str, dict[str, str]]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        written = await call(
            toolbox, "write_file", path="test_escape.py", content=escape_test(outside, port)
        )
        assert written.startswith("wrote test_escape.py")
        answer = await call(toolbox, "run_command", argv=["pytest", "-q", "test_escape.py"])
    report_file = toolbox.root / "report.json"
    assert report_file.is_file(), answer
    report: dict[str, str] = json.loads(report_file.read_text())
    return answer, report


async def test_a_test_file_the_agent_wrote_cannot_escape(toolbox: Toolbox, outside: Path) -> None:
    answer, report = await run_escape_test(toolbox, outside)
    assert "1 passed" in answer
    assert report["write_outside"].startswith("failed") and not (outside / "pwned.txt").exists()
    assert report["network"].startswith("failed")
    # The parent's /proc is not there to read, and nothing readable holds the key.
    assert SECRET not in json.dumps(report) and SECRET not in answer
    assert "OPENAI_API_KEY" not in report["own_environ"]
    assert report["home"] != os.environ.get("HOME")
    assert report["write_inside"].startswith("done")
    assert (toolbox.root / "inside.txt").read_text() == "ok"


async def test_ruff_format_cannot_rewrite_a_file_outside(toolbox: Toolbox, outside: Path) -> None:
    ugly = "x   =  1\n"
    (outside / "file.py").write_text(ugly)
    (toolbox.root / "inside.py").write_text(ugly)
    answer = await call(
        toolbox, "run_command", argv=["ruff", "format", str(outside / "file.py"), "inside.py"]
    )
    assert (outside / "file.py").read_text() == ugly, answer
    assert (toolbox.root / "inside.py").read_text() == "x = 1\n", answer


async def test_without_bwrap_commands_are_refused(
    toolbox: Toolbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "no-bwrap"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    toolbox.commands = CommandPolicy(allowed=[[sys.executable]])
    marker = toolbox.root / "ran.txt"
    script = f"open({str(marker)!r}, 'w').write('ran')"
    with pytest.raises(SandboxUnavailableError) as refused:
        await call(toolbox, "run_command", argv=[sys.executable, "-c", script])
    assert not marker.exists()
    assert "bubblewrap (bwrap) is not installed" in str(refused.value)
    assert refused.value.hint is not None and "scripts/install-sandbox" in refused.value.hint
    assert 'sandbox = "off"' in refused.value.hint
    assert refused.value.exit_code == EXIT_ENVIRONMENT


async def test_the_agent_is_refused_before_its_first_model_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "repo")
    monkeypatch.setenv("PATH", str(tmp_path))
    with scripted_server([reply("openai", "never asked")]) as server:
        async with provider_for(server, "openai") as provider:
            agent = CodingAgent(provider, worktrees_root=tmp_path / "wt")
            with pytest.raises(SandboxUnavailableError):
                await agent.run(repo, "do something", run_id="r-nosandbox")
    assert server.received == []


async def test_opting_out_runs_unconfined_and_says_so(
    toolbox: Toolbox,
    outside: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Without bwrap on PATH and with `[agents] sandbox = "off"`, the command runs as is:
    # the escape that the sandbox stops succeeds, which is what opting out means.
    monkeypatch.setenv("PATH", VENV_BIN)
    toolbox.commands = CommandPolicy(allowed=[["pytest"]], timeout=120, sandbox=False)
    _, report = await run_escape_test(toolbox, outside)
    assert report["write_outside"].startswith("done") and (outside / "pwned.txt").exists()
    assert "OPENAI_API_KEY" not in report["own_environ"]  # the environment is still scrubbed
    assert "WITHOUT a sandbox" in caplog.text


def test_the_opt_out_is_read_from_devora_toml(tmp_path: Path) -> None:
    assert load_config(tmp_path, env={}).agents.sandbox == "on"
    (tmp_path / "devora.toml").write_text('[agents]\nsandbox = "off"\n')
    assert load_config(tmp_path, env={}).agents.sandbox == "off"
    (tmp_path / "devora.toml").write_text('[agents]\nsandbox = "maybe"\n')
    with pytest.raises(ConfigError, match="sandbox"):
        load_config(tmp_path, env={})


# The gate re-runs the checks on an agent's change with `run_process` inside
# `confined(sandbox_confinement(...))`: the same sandbox as the agent's commands.
CONFINED_SECRET = "sk-live-confined-0123456789"
# Writes outside, reads the key, writes in the worktree and in the scratch directory.
PROBE = """
import os, sys
outside, scratch = sys.argv[1], sys.argv[2]
try:
    open(os.path.join(outside, "escaped"), "w").write("out")
    print("wrote outside")
except OSError:
    print("outside refused")
print("key:", os.environ.get("OPENAI_API_KEY"))
open("inside.txt", "w").write("in")
open(os.path.join(scratch, "junit.xml"), "w").write("<testsuite/>")
"""


async def test_a_confined_tool_writes_only_its_worktree_and_scratch_and_sees_no_key(
    tmp_path: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", CONFINED_SECRET)
    worktree = await create_worktree(make_repo(tmp_path / "repo"), "conf", root=tmp_path / "wt")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    argv = [sys.executable, "-c", PROBE, str(outside), str(scratch)]

    confinement = sandbox_confinement(await find_bubblewrap(), worktree.path, scratch)
    with confined(confinement):
        assert scratch_directory() == scratch.resolve()
        output = await run_process(argv, cwd=worktree.path, time_limit=60)
    assert scratch_directory() is None  # only within the block

    assert output.exit_code == 0, output.stdout + output.stderr
    assert output.argv == tuple(argv)  # the tool's command, not bwrap's
    assert "outside refused" in output.stdout
    assert not (outside / "escaped").exists()
    assert CONFINED_SECRET not in output.stdout and "key: None" in output.stdout
    assert (worktree.path / "inside.txt").read_text() == "in"
    assert (scratch / "junit.xml").is_file()


async def test_unconfined_the_same_tool_reaches_outside(tmp_path: Path, outside: Path) -> None:
    # The probe can escape: the confined test above fails for the sandbox's sake, not the probe's.
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    argv = [sys.executable, "-c", PROBE, str(outside), str(scratch)]
    output = await run_process(argv, cwd=tmp_path, time_limit=60)
    assert "wrote outside" in output.stdout and (outside / "escaped").exists()


async def test_a_tool_in_a_virtualenv_under_tmp_still_runs_and_the_rest_of_tmp_stays_hidden(
    tmp_path: Path,
) -> None:
    # A checkout under /tmp (CI clones anywhere) has its .venv there: the sandbox's own /tmp
    # must not hide the tools the agent is allowed to run, nor show the host's /tmp.
    require_executable("bwrap", "apt-get install bubblewrap")
    from devora.agents import command_environment, run_sandboxed

    venv = Path(tempfile.mkdtemp(prefix="devora-venv-", dir="/tmp"))
    try:
        (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
        (venv / "bin").mkdir()
        tool = venv / "bin" / "hello-tool"
        tool.write_text("#!/bin/sh\necho hello from the venv\n")
        tool.chmod(0o755)
        neighbour = Path(tempfile.mkdtemp(prefix="devora-neighbour-", dir="/tmp"))
        (neighbour / "private.txt").write_text("not for the agent")
        worktree = tmp_path / "worktree"
        worktree.mkdir()
        env = command_environment({"PATH": f"{venv / 'bin'}:/usr/bin:/bin"})
        done = await run_sandboxed(
            ["hello-tool"], worktree=worktree, env=env, time_limit=30, keep_bytes=None
        )
        assert done.returncode == 0 and b"hello from the venv" in done.stdout
        by_path = await run_sandboxed(  # named by its path, its folder not on the PATH
            [str(tool)],
            worktree=worktree,
            env=command_environment({"PATH": "/usr/bin:/bin"}),
            time_limit=30,
            keep_bytes=None,
        )
        assert by_path.returncode == 0 and b"hello from the venv" in by_path.stdout
        peek = await run_sandboxed(
            ["cat", str(neighbour / "private.txt")],
            worktree=worktree,
            env=env,
            time_limit=30,
            keep_bytes=None,
        )
        assert peek.returncode != 0 and b"not for the agent" not in peek.stdout
    finally:
        shutil.rmtree(venv, ignore_errors=True)
        shutil.rmtree(neighbour, ignore_errors=True)
