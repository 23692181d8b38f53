"""`devora` commands started in the background: they outlive the process that started them.

The MCP server answers a tool call in a moment but a run may take an hour, and the
assistant that started it may close its session; so a run it starts or resumes is a
`devora run|resume --json` process of its own, in a new session, writing its JSON lines to
a private log under Devora's home (`mcp/`). The run id is read from that log's first line.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from devora.errors import DevoraError, UsageError
from devora.private_files import create_private_file, make_private_dir

__all__ = ["DetachedCommand", "reap_finished", "start_detached"]

_started: list[subprocess.Popen[bytes]] = []
# Numbers the commands this process starts: their files' names never repeat (a count of the
# live commands did, once one had ended, and a second `resume` read the first one's output).
_sequence = itertools.count()


@dataclass
class DetachedCommand:
    """A `devora` command running in the background, with the files it writes."""

    process: subprocess.Popen[bytes]
    log: Path
    errors: Path
    argv: list[str] = field(default_factory=list)

    def wait_for_run_id(self, timeout: float = 120.0) -> str:
        """The run id from the first JSON line, once the command has recorded its run.

        A command that ends before it records a run (its inputs refused by a preflight
        check) raises its own error message, as the terminal would have shown it.
        """
        deadline = time.monotonic() + timeout
        while True:
            run_id = self._first_run_id()
            if run_id is not None:
                return run_id
            if self.process.poll() is not None:
                run_id = self._first_run_id()  # it may have written it just before ending
                if run_id is not None:
                    return run_id
                raise _refused(self.errors, self.process.returncode)
            if time.monotonic() > deadline:
                raise UsageError(
                    f"`devora {' '.join(self.argv)}` recorded no run in {timeout:.0f}s",
                    hint=f"its output is in {self.log} and {self.errors}",
                )
            time.sleep(0.05)

    def _first_run_id(self) -> str | None:
        with self.log.open("rb") as stream:
            line = stream.readline()
        if not line.endswith(b"\n"):
            return None  # not written yet, or half written
        run_id = json.loads(line).get("run_id")
        return str(run_id) if run_id else None


def start_detached(arguments: list[str], home: Path, label: str) -> DetachedCommand:
    """Start `devora ARGUMENTS` in its own session, its output in private files under home."""
    reap_finished()
    folder = make_private_dir(home / "mcp")
    stem = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{next(_sequence)}-{label}"
    log, errors = folder / f"{stem}.jsonl", folder / f"{stem}.err"
    for path in (log, errors):
        create_private_file(path)
    with log.open("ab") as out, errors.open("ab") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "devora", *arguments],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,  # the assistant's Ctrl-C or exit does not stop the run
        )
    _started.append(process)
    return DetachedCommand(process, log, errors, list(arguments))


def reap_finished() -> None:
    """Collect the exit status of background commands that ended (no zombies left)."""
    _started[:] = [p for p in _started if p.poll() is None]


def _refused(errors: Path, returncode: int) -> DevoraError:
    from devora.secrets import redact

    text = redact(errors.read_text(encoding="utf-8", errors="replace")).strip()
    lines = text.splitlines()
    message = next((ln.removeprefix("Error: ") for ln in lines if ln.startswith("Error:")), None)
    hint = next((ln.removeprefix("Hint: ") for ln in lines if ln.startswith("Hint:")), None)
    return UsageError(
        message or f"the command ended with exit code {returncode}: {text[-500:]}",
        hint=hint or f"its output is in {errors}",
    )
