"""Commands the agent may run: an allow-list of argv prefixes, a timeout, a cap, no secrets."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from devora.agents._errors import ToolRefused

__all__ = ["CommandPolicy", "CommandResult", "command_environment", "run_allowed_command"]

# Names that hold secrets by convention; code the model wrote must not read them.
_SECRET_NAME = re.compile(r"(?i)(API_?KEY|TOKEN|SECRET|PASSW(OR)?D|CREDENTIAL|_KEY$|^KEY$)")


@dataclass(frozen=True)
class CommandPolicy:
    """Which commands the agent may run (argv prefixes), for how long, and how many."""

    allowed: Sequence[Sequence[str]] = (("pytest",), ("ruff", "check"), ("ruff", "format"))
    timeout: float = 300.0
    max_commands: int = 20
    max_output_chars: int = 12_000
    env: Mapping[str, str] | None = field(default=None, repr=False)
    hidden_variables: Sequence[str] = ()

    def permits(self, argv: Sequence[str]) -> bool:
        """True when `argv` starts with one of the allowed prefixes."""
        return any(
            len(prefix) > 0 and list(argv[: len(prefix)]) == list(prefix) for prefix in self.allowed
        )


class CommandResult(BaseModel):
    """What a command did."""

    model_config = ConfigDict(frozen=True)

    argv: tuple[str, ...]
    returncode: int | None
    output: str
    timed_out: bool = False

    def for_model(self) -> str:
        """The result as the text handed back to the model."""
        status = "timed out" if self.timed_out else f"exit code {self.returncode}"
        return f"$ {' '.join(self.argv)}\n[{status}]\n{self.output}"


def command_environment(
    base: Mapping[str, str] | None = None, hidden: Sequence[str] = ()
) -> dict[str, str]:
    """The environment for agent commands: `base` minus `hidden` and names that look secret."""
    source = os.environ if base is None else base
    env = {
        name: value
        for name, value in source.items()
        if name not in hidden and not _SECRET_NAME.search(name)
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


async def run_allowed_command(
    argv: Sequence[str], cwd: Path, policy: CommandPolicy
) -> CommandResult:
    """Run `argv` in `cwd` if the policy allows it; stdout and stderr together, tail kept."""
    if not argv or not all(isinstance(part, str) for part in argv):
        raise ToolRefused("argv must be a non-empty list of strings")
    if not policy.permits(argv):
        allowed = ", ".join(repr(" ".join(prefix)) for prefix in policy.allowed)
        raise ToolRefused(
            f"refused: {' '.join(argv)!r} is not an allowed command (allowed: {allowed})"
        )
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            cwd=cwd,
            env=command_environment(policy.env, policy.hidden_variables),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # so a timeout can kill the whole process group
        )
    except FileNotFoundError as error:
        raise ToolRefused(f"{argv[0]} is not installed: {error}") from error
    output = bytearray()
    try:
        await asyncio.wait_for(_collect(process, output, policy), policy.timeout)
    except TimeoutError:
        _kill_group(process)
        await process.wait()
        partial = _tail(output.decode(errors="replace"), policy)
        return CommandResult(
            argv=tuple(argv),
            returncode=None,
            output=f"{partial}\n[killed after {policy.timeout:g}s]",
            timed_out=True,
        )
    except asyncio.CancelledError:
        # The step was cancelled (run timeout, Ctrl-C): no command outlives it.
        _kill_group(process)
        await process.wait()
        raise
    return CommandResult(
        argv=tuple(argv),
        returncode=process.returncode,
        output=_tail(output.decode(errors="replace"), policy),
    )


async def _collect(
    process: asyncio.subprocess.Process, output: bytearray, policy: CommandPolicy
) -> None:
    # Read as it comes, so what a command printed before it hung is not lost.
    assert process.stdout is not None
    keep = policy.max_output_chars * 4
    while chunk := await process.stdout.read(65536):
        output += chunk
        if len(output) > keep:
            del output[: len(output) - keep]
    await process.wait()


def _tail(text: str, policy: CommandPolicy) -> str:
    limit = policy.max_output_chars
    if len(text) <= limit:
        return text
    # The end of a test or lint run holds the summary, so keep the tail.
    return f"[... {len(text) - limit} characters cut ...]\n" + text[-limit:]


def _kill_group(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
