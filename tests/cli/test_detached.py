"""Background `devora` commands (the MCP server's): each has output files of its own."""

from __future__ import annotations

from pathlib import Path

from devora.cli._detached import start_detached


def test_a_command_started_after_another_ended_never_shares_its_files(tmp_path: Path) -> None:
    first = start_detached(["--help"], tmp_path, "resume")
    assert first.process.wait(timeout=60) == 0
    first_output = first.log.read_bytes()
    assert first_output  # what the first command printed
    second = start_detached(["--help"], tmp_path, "resume")  # same second, same label
    assert second.process.wait(timeout=60) == 0
    assert {second.log, second.errors}.isdisjoint({first.log, first.errors})
    assert first.log.read_bytes() == first_output  # nothing appended to the first's
    assert (tmp_path / "mcp").stat().st_mode & 0o077 == 0
