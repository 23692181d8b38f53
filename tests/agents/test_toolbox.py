"""The agent's tools in a real worktree: confinement, search, writes, commands and their limits."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import pytest

from devora.agents import CommandPolicy, Toolbox, command_environment, create_worktree
from devora.llm import ToolCall

from .gitrepo import make_repo


@pytest.fixture
async def toolbox(tmp_path: Path) -> Toolbox:
    repo = make_repo(tmp_path / "repo")
    worktree = await create_worktree(repo, "t1", root=tmp_path / "wt")
    policy = CommandPolicy(allowed=[[sys.executable, "-c"]], timeout=1.0, max_commands=3)
    return Toolbox(worktree.path, policy)


async def call(toolbox: Toolbox, name: str, **arguments: object) -> str:
    return await toolbox.execute(ToolCall(id="c", name=name, arguments=arguments))


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("../outside.txt", "'..'"),
        ("sub/../../outside.txt", "'..'"),
        ("/etc/passwd", "absolute"),
        (".git/config", "inside .git"),
        ("", "path is required"),
    ],
)
async def test_paths_outside_the_worktree_are_refused(
    toolbox: Toolbox, path: str, why: str
) -> None:
    for name, extra in (("read_file", {}), ("write_file", {"content": "pwned"})):
        answer = await call(toolbox, name, path=path, **extra)
        assert answer.startswith("error: ") and why in answer
    assert not (toolbox.root.parent / "outside.txt").exists()
    assert toolbox.written == set()


async def test_symlink_escapes_are_refused(toolbox: Toolbox, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("top secret\n")
    (toolbox.root / "link").symlink_to(outside, target_is_directory=True)
    (toolbox.root / "secret_link.txt").symlink_to(outside / "secret.txt")
    # A dangling link to a file not there yet, and a chain of links that ends outside.
    (toolbox.root / "dangling.txt").symlink_to(outside / "planted.txt")
    (toolbox.root / "hop.txt").symlink_to("secret_link.txt")
    for answer in (
        await call(toolbox, "read_file", path="link/secret.txt"),
        await call(toolbox, "read_file", path="secret_link.txt"),
        await call(toolbox, "write_file", path="link/new.txt", content="x"),
        await call(toolbox, "write_file", path="secret_link.txt", content="pwned"),
        await call(toolbox, "write_file", path="dangling.txt", content="pwned"),
        await call(toolbox, "write_file", path="hop.txt", content="pwned"),
    ):
        assert answer.startswith("error: refused") and "symlink" in answer
    assert not (outside / "new.txt").exists() and not (outside / "planted.txt").exists()
    assert (outside / "secret.txt").read_text() == "top secret\n"
    assert toolbox.written == set()
    (toolbox.root / "g").symlink_to(toolbox.root / ".git")
    answer = await call(toolbox, "write_file", path="g", content="gitdir: /elsewhere\n")
    assert answer == "error: refused: 'g' resolves inside .git (symlink)"
    assert "top secret" not in await call(toolbox, "search", pattern="top secret")


async def test_list_read_search_write(toolbox: Toolbox) -> None:
    assert (await call(toolbox, "list_files")).splitlines() == [
        ".gitignore",
        "calc.py",
        "test_calc.py",
    ]
    assert "return a - b" in await call(toolbox, "read_file", path="calc.py")
    assert await call(toolbox, "search", pattern="a - b") == "calc.py:2:     return a - b"
    assert "test_calc.py:4:" in await call(toolbox, "search", pattern=r"def \w+\(\)", regex=True)
    assert (await call(toolbox, "search", pattern="(", regex=True)).startswith("error: invalid")
    assert await call(toolbox, "search", pattern="nowhere") == "(no matches)"

    assert await call(toolbox, "write_file", path="pkg/new.py", content="X = 1\n") == (
        "wrote pkg/new.py (6 characters)"
    )
    assert (toolbox.root / "pkg" / "new.py").read_text() == "X = 1\n"
    assert toolbox.written == {"pkg/new.py"}
    assert await call(toolbox, "list_files", directory="pkg") == "pkg/new.py"
    assert (await call(toolbox, "read_file", path="nope.py")) == "error: nope.py is not a file"


async def test_bad_calls_are_answered_not_raised(toolbox: Toolbox) -> None:
    assert "unknown tool 'rm'" in await call(toolbox, "rm", path="calc.py")
    bad = ToolCall(id="c", name="read_file", arguments_error="arguments are not valid JSON (x)")
    assert await toolbox.execute(bad) == "error: arguments are not valid JSON (x)"
    assert "path is required" in await call(toolbox, "read_file", path=3)


async def test_commands_allowed_refused_timed_out_and_capped(toolbox: Toolbox) -> None:
    ok = await call(toolbox, "run_command", argv=[sys.executable, "-c", "print('hi')"])
    assert "[exit code 0]" in ok and "hi" in ok
    refused = await call(toolbox, "run_command", argv=["rm", "-rf", "."])
    assert refused.startswith("error: refused: 'rm -rf .' is not an allowed command")
    as_string = await call(toolbox, "run_command", argv="python -c 1")
    assert "list of strings" in as_string
    hang = "import time; print('collected 3 items', flush=True); time.sleep(30)"
    slow = await call(toolbox, "run_command", argv=[sys.executable, "-c", hang])
    assert "[timed out]" in slow and "collected 3 items" in slow and "[killed after 1s]" in slow
    failing = await call(toolbox, "run_command", argv=[sys.executable, "-c", "raise SystemExit(3)"])
    assert "[exit code 3]" in failing
    capped = await call(toolbox, "run_command", argv=[sys.executable, "-c", "print(1)"])
    assert capped == "error: refused: the limit of 3 commands is used"
    assert [r.returncode for r in toolbox.command_results] == [0, None, 3]
    assert (toolbox.root / "calc.py").exists()


async def test_a_command_that_cannot_start_is_refused_to_the_model(toolbox: Toolbox) -> None:
    (toolbox.root / "check.sh").write_text("#!/bin/sh\necho ok\n")  # not executable
    toolbox.commands = CommandPolicy(allowed=[["./check.sh"]], sandbox=False)
    answer = await call(toolbox, "run_command", argv=["./check.sh"])
    assert answer.startswith("error: cannot run ./check.sh:") and "ermission" in answer


async def test_commands_run_in_the_worktree_without_secrets(toolbox: Toolbox) -> None:
    script = "import os; print(os.getcwd()); print(sorted(os.environ))"
    environ = {
        "PATH": os.environ["PATH"],
        "OPENAI_API_KEY": "sk-x",
        "GITHUB_TOKEN": "t",
        "HOME": "/h",
    }
    toolbox.commands = CommandPolicy(allowed=[[sys.executable]], env=environ)
    answer = await call(toolbox, "run_command", argv=[sys.executable, "-c", script])
    assert str(toolbox.root.resolve()) in answer
    assert "OPENAI_API_KEY" not in answer and "GITHUB_TOKEN" not in answer and "'HOME'" in answer
    assert command_environment({"DB_PASSWORD": "p", "USER": "u"}) == {
        "USER": "u",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


async def test_long_output_keeps_the_tail(toolbox: Toolbox) -> None:
    toolbox.commands = CommandPolicy(allowed=[[sys.executable]], max_output_chars=100)
    script = "print('x' * 500); print('SUMMARY 1 passed')"
    answer = await call(toolbox, "run_command", argv=[sys.executable, "-c", script])
    assert "characters cut" in answer and answer.rstrip().endswith("SUMMARY 1 passed")


async def test_a_cancelled_command_is_killed(toolbox: Toolbox) -> None:
    # Inside the sandbox a process has another pid: find it by a token in its command line.
    token = f"devora-cancel-{uuid.uuid4().hex}"
    started = toolbox.root / "started"
    script = f"import time; open('started', 'w').write({token!r}); time.sleep(60)"
    toolbox.commands = CommandPolicy(allowed=[[sys.executable]], timeout=60)
    task = asyncio.create_task(call(toolbox, "run_command", argv=[sys.executable, "-c", script]))
    for _ in range(400):
        if started.exists() and started.read_text() == token:
            break
        await asyncio.sleep(0.05)
    assert _processes_with(token), "the command did not start"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(200):  # the kernel reaps a dead PID namespace asynchronously
        if not _processes_with(token):
            break
        await asyncio.sleep(0.05)
    assert _processes_with(token) == []


def _processes_with(token: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if token.encode() in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def test_secret_looking_variables_are_hidden_from_commands() -> None:
    environ = {
        "AWS_SECRET_ACCESS_KEY": "a",
        "SSH_PRIVATE_KEY": "b",
        "NPM_TOKEN": "c",
        "PGPASSWORD": "d",
        "MY_DB_URL": "e",
        "LANG": "C",
    }
    assert command_environment(environ, hidden=["MY_DB_URL"]) == {
        "LANG": "C",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def test_only_allow_listed_variables_without_a_known_secret_reach_commands() -> None:
    environ = {
        "PATH": "/usr/bin",
        "LC_ALL": "C.UTF-8",
        "DATABASE_URL": "postgresql://app:s3cr3t-pw@db/prod",  # not allow-listed
        "PYTHONPATH": "/srv/app:postgresql://app:s3cr3t-pw@db/prod",  # allowed name, secret in
        "TZ": "sk-live-looks-like-a-key",  # the value of a secret-named variable below
        "OPENAI_API_KEY": "sk-live-looks-like-a-key",
        "CI_RUNNER_NAME": "runner-1",  # harmless, but not needed by a test runner
    }
    assert command_environment(environ) == {
        "PATH": "/usr/bin",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
