"""Stopping a detached app later: its process group, and only if its pid is still the
process that was started (a pid reused by another program is left alone)."""

from __future__ import annotations

import asyncio
import signal
import subprocess

from devora.tools.webapp import process_start_time, stop_command, stop_detached


def test_a_process_that_reused_the_pid_is_left_alone() -> None:
    sleeper = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        started = process_start_time(sleeper.pid)
        assert started is not None
        said = asyncio.run(stop_detached(sleeper.pid, started + 1))  # "deployed" at another time
        assert "left alone" in said and sleeper.poll() is None
        assert asyncio.run(stop_detached(sleeper.pid, started)) == f"process {sleeper.pid} stopped"
        assert sleeper.wait(timeout=10) == -signal.SIGTERM
        assert "was not running" in asyncio.run(stop_detached(sleeper.pid, started))
    finally:
        sleeper.kill()


def test_the_stop_command_signals_the_process_group() -> None:
    assert stop_command(4242) == ("kill", "-TERM", "--", "-4242")


def test_a_process_that_is_gone_has_no_start_time() -> None:
    sleeper = subprocess.Popen(["sleep", "0"])
    sleeper.wait(timeout=10)
    assert process_start_time(sleeper.pid) is None
