"""Tools the gate re-runs on an agent's change run in the agent's sandbox (issue 9 §4):
`run_process` inside `confined(sandbox_confinement(...))`, with real bubblewrap."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from devora.agents import create_worktree, find_bubblewrap, sandbox_confinement
from devora.tools import confined, run_process, scratch_directory
from tests.conftest import require_executable

from .gitrepo import make_repo

SECRET = "sk-live-confined-0123456789"
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


@pytest.fixture(autouse=True)
def _bwrap_installed() -> None:
    require_executable("bwrap", "scripts/install-sandbox, or apt-get install bubblewrap")


@pytest.fixture
def outside() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="devora-outside-", dir="/var/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


async def test_a_confined_tool_writes_only_its_worktree_and_scratch_and_sees_no_key(
    tmp_path: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
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
    assert SECRET not in output.stdout and "key: None" in output.stdout
    assert (worktree.path / "inside.txt").read_text() == "in"
    assert (scratch / "junit.xml").is_file()


async def test_unconfined_the_same_tool_reaches_outside(tmp_path: Path, outside: Path) -> None:
    # The probe can escape: the confined test above fails for the sandbox's sake, not the probe's.
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    argv = [sys.executable, "-c", PROBE, str(outside), str(scratch)]
    output = await run_process(argv, cwd=tmp_path, time_limit=60)
    assert "wrote outside" in output.stdout and (outside / "escaped").exists()
