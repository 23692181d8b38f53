"""The tests' bytecode is kept outside the project, and a change never runs stale bytecode.

Python trusts a .pyc by its source's mtime (whole seconds) and size: an edit in the same
second that keeps the size would run the old code. The gate forgets the bytecode of every
file whose digest changed, so the incremental run sees the edit (proven here with the
mtime put back exactly as it was).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from gate_projects import init_repo, make_clean_project, tool_path

from devora.tools.checks import CheckResult, CheckStatus, detect_project
from devora.tools.pyenv import resolve_environment
from devora.workflows.quality_gate import GateConfig, ResultCache
from devora.workflows.quality_gate._baselines import BaselineStore
from devora.workflows.quality_gate._cache import fingerprint_files, tree_digest
from devora.workflows.quality_gate._categories import checks_named
from devora.workflows.quality_gate._incremental import Incremental
from devora.workflows.quality_gate._running import run_checks


async def _pytest(root: Path, home: Path, run: str) -> CheckResult:
    profile = detect_project(root, search_path=tool_path())
    environment = await resolve_environment(
        root, profile.pyproject, cache_dir=home / "environments", log=lambda _: None
    )
    profile = profile.model_copy(update={"python_env": environment})
    files = await fingerprint_files(root)
    incremental = Incremental(
        store=BaselineStore(home / "incremental"),
        files=files,
        run=run,
        bytecode=home / "bytecode",
    )
    results, _ = await run_checks(
        checks_named(("pytest",)),
        profile,
        GateConfig(),
        ResultCache(home / "results"),
        tree_digest(files),
        lambda _: None,
        incremental,
    )
    return results[0]


async def test_bytecode_outside_the_project_and_a_same_size_same_second_edit_is_seen(
    tmp_path: Path,
) -> None:
    root = tmp_path / "clean"
    root.mkdir()
    init_repo(make_clean_project(root))
    home = tmp_path / "home"
    first = await _pytest(root, home, "run-1")
    assert first.status is CheckStatus.PASSED, (first.reason, first.output_tail)
    mirror = home / "bytecode" / root.relative_to("/")
    assert list(mirror.glob("src/calc/__init__.*.pyc"))  # the module's bytecode, kept
    assert list(mirror.glob("tests/test_calc.*-pytest-*.pyc"))  # pytest's rewritten tests
    ignored = ["git", "status", "--porcelain", "--ignored"]
    assert subprocess.run(ignored, cwd=root, capture_output=True, text=True).stdout == ""

    module = root / "src" / "calc" / "__init__.py"
    before = module.stat()
    module.write_text(
        module.read_text(encoding="utf-8").replace("left + right", "left - right"),
        encoding="utf-8",
    )
    os.utime(module, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert module.stat().st_size == before.st_size  # what Python checks a .pyc by: the same
    second = await _pytest(root, home, "run-2")
    assert second.reused is not None and "from run run-1" in second.reused
    assert second.status is CheckStatus.FAILED, second.findings
    assert [f.file for f in second.findings] == ["tests/test_calc.py"]
