"""Asking an interpreter what it has: remembered in an environment Devora owns."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path

from devora.tools.pyenv import Probe, probe_owned


async def test_the_probe_of_an_owned_environment_is_remembered_until_it_changes(
    tmp_path: Path,
) -> None:
    prefix = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True)
    python = prefix / "bin" / "python"
    first = await probe_owned(python, prefix, tmp_path)
    assert isinstance(first, Probe) and first.version == platform.python_version()
    memo = prefix / ".devora-probe.json"
    assert memo.stat().st_mode & 0o777 == 0o600
    data = json.loads(memo.read_text(encoding="utf-8"))
    memo.write_text(json.dumps({**data, "version": "remembered"}), encoding="utf-8")
    again = await probe_owned(python, prefix, tmp_path)
    assert isinstance(again, Probe) and again.version == "remembered"
    # A distribution installed (or removed) there: the interpreter is asked again.
    site = next(prefix.glob("lib/python*/site-packages"))
    (site / "thing-1.0.dist-info").mkdir()
    asked = await probe_owned(python, prefix, tmp_path)
    assert isinstance(asked, Probe) and asked.version == platform.python_version()


async def test_a_damaged_memo_is_asked_again(tmp_path: Path) -> None:
    prefix = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True)
    (prefix / ".devora-probe.json").write_text("{damaged", encoding="utf-8")
    probe = await probe_owned(prefix / "bin" / "python", prefix, tmp_path)
    assert isinstance(probe, Probe) and probe.version == platform.python_version()
    missing = await probe_owned(tmp_path / "nowhere" / "python", tmp_path / "nowhere", tmp_path)
    assert isinstance(missing, str) and "cannot run" in missing
