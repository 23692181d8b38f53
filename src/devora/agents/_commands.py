"""Commands the agent may run: an allow-list of argv prefixes, a timeout, a cap, a sandbox.

The allow-list says what the agent may ask for; the sandbox (`_sandbox.py`) is what keeps an
allowed command from reaching outside the worktree.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from devora.agents._errors import ToolRefused
from devora.agents._sandbox import command_environment, run_sandboxed
from devora.tools._subprocess import ProcessTimedOut

__all__ = ["CommandPolicy", "CommandResult", "run_allowed_command"]


@dataclass(frozen=True)
class CommandPolicy:
    """Which commands the agent may run (argv prefixes), for how long, and how many."""

    allowed: Sequence[Sequence[str]] = (("pytest",), ("ruff", "check"), ("ruff", "format"))
    timeout: float = 300.0
    max_commands: int = 20
    max_output_chars: int = 12_000
    env: Mapping[str, str] | None = field(default=None, repr=False)
    hidden_variables: Sequence[str] = ()
    # False only when the user opted out: `[agents] sandbox = "off"`.
    sandbox: bool = True

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


async def run_allowed_command(
    argv: Sequence[str], cwd: Path, policy: CommandPolicy
) -> CommandResult:
    """Run `argv` in `cwd` (the worktree) if the policy allows it, in the sandbox.

    Stdout and stderr come back together, their tail kept. SandboxUnavailableError (not a
    refusal the model sees) when no sandbox works here and the user has not opted out.
    """
    if not argv or not all(isinstance(part, str) for part in argv):
        raise ToolRefused("argv must be a non-empty list of strings")
    if not policy.permits(argv):
        allowed = ", ".join(repr(" ".join(prefix)) for prefix in policy.allowed)
        raise ToolRefused(
            f"refused: {' '.join(argv)!r} is not an allowed command (allowed: {allowed})"
        )
    env = command_environment(policy.env, policy.hidden_variables)
    if "/" not in argv[0] and shutil.which(argv[0], path=env.get("PATH")) is None:
        raise ToolRefused(f"{argv[0]} is not installed (not found on PATH)")
    try:
        # A process group of its own: a timeout or a cancelled step kills all of it.
        completed = await run_sandboxed(
            argv,
            worktree=cwd,
            env=env,
            time_limit=policy.timeout,
            keep_bytes=policy.max_output_chars * 4,
            sandbox=policy.sandbox,
        )
    except FileNotFoundError as error:
        raise ToolRefused(f"{argv[0]} is not installed: {error}") from error
    except OSError as error:  # not executable, a directory...: the model's to hear, not a crash
        raise ToolRefused(f"cannot run {argv[0]}: {error.strerror or error}") from error
    except ProcessTimedOut as timed_out:
        partial = _tail(timed_out.stdout.decode(errors="replace"), policy)
        return CommandResult(
            argv=tuple(argv),
            returncode=None,
            output=f"{partial}\n[killed after {policy.timeout:g}s]",
            timed_out=True,
        )
    return CommandResult(
        argv=tuple(argv),
        returncode=completed.returncode,
        output=_tail(completed.stdout.decode(errors="replace"), policy),
    )


def _tail(text: str, policy: CommandPolicy) -> str:
    limit = policy.max_output_chars
    if len(text) <= limit:
        return text
    # The end of a test or lint run holds the summary, so keep the tail.
    return f"[... {len(text) - limit} characters cut ...]\n" + text[-limit:]
