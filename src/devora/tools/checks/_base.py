"""The one interface every check implements, and the path every check result takes."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from devora.tools import Finding
from devora.tools._subprocess import ProcessOutput, ToolTimeoutError, run_process
from devora.tools.checks._errors import NotRunError, ToolCrashError, ToolOutputError
from devora.tools.checks._profile import ProjectProfile
from devora.tools.checks._result import CheckResult, CheckStatus
from devora.tools.checks._versions import tool_version

__all__ = [
    "Check",
    "NotRunError",
    "Outcome",
    "ToolCheck",
    "ToolCrashError",
    "ToolOutputError",
    "relative_file",
]


@dataclass(frozen=True)
class Outcome:
    """What a check's execute() found; its status is failed when there are findings."""

    findings: Sequence[Finding] = ()
    metrics: Mapping[str, float] = field(default_factory=dict)
    notes: Sequence[str] = ()
    exit_code: int | None = None
    output_tail: str | None = None
    failed: bool | None = None  # None: failed when there are findings


class Check(ABC):
    """The interface of every check: a name, the tool it uses, where it applies, and run()."""

    name: ClassVar[str]
    tool: ClassVar[str]
    install: ClassVar[str]

    @abstractmethod
    def applies_to(self, profile: ProjectProfile) -> bool:
        """True when the project uses what this check looks at (its language, its files)."""

    @abstractmethod
    async def run(self, profile: ProjectProfile) -> CheckResult:
        """Run the check; a tool that is missing, crashes or talks nonsense is in the result."""


class ToolCheck(Check):
    """A check that runs one external tool and reads its output into findings.

    Subclasses set name, tool and install, say whether they apply to a project, and implement
    execute(); run() turns every way a tool can go wrong into a not_run or crashed result.
    """

    default_timeout: ClassVar[float] = 300.0

    def __init__(self, *, timeout: float | None = None) -> None:
        self.timeout = timeout if timeout is not None else self.default_timeout

    @abstractmethod
    async def execute(self, executable: Path, profile: ProjectProfile) -> Outcome:
        """Run the tool and read its output; raise ToolCrashError or NotRunError when it can't."""

    def executable(self, profile: ProjectProfile) -> Path | None:
        """The executable this check runs, or None when it is not installed."""
        return profile.tool(self.tool)

    async def run(self, profile: ProjectProfile) -> CheckResult:
        """Run the check and return its result; never raises for a tool that misbehaves."""
        started = time.monotonic()
        executable = self.executable(profile)
        if executable is None:
            return self._result(
                CheckStatus.NOT_RUN,
                started,
                reason=f"not run: install {self.tool} ({self.install})",
            )
        version = await tool_version(executable, profile.root)
        try:
            outcome = await self.execute(executable, profile)
        except NotRunError as error:
            return self._result(
                CheckStatus.NOT_RUN,
                started,
                version,
                reason=error.reason,
                notes=error.notes,
                metrics=error.metrics,
            )
        except ToolCrashError as error:
            return self._result(
                CheckStatus.CRASHED,
                started,
                version,
                reason=error.reason,
                exit_code=error.tool_exit_code,
                output_tail=error.output_tail,
            )
        except ToolTimeoutError as error:
            return self._result(CheckStatus.CRASHED, started, version, reason=str(error))
        except OSError as error:
            return self._result(
                CheckStatus.CRASHED, started, version, reason=f"cannot run {executable}: {error}"
            )
        failed = outcome.failed if outcome.failed is not None else bool(outcome.findings)
        return CheckResult(
            name=self.name,
            tool=self.tool,
            tool_version=version,
            status=CheckStatus.FAILED if failed else CheckStatus.PASSED,
            exit_code=outcome.exit_code,
            output_tail=outcome.output_tail,
            findings=tuple(outcome.findings),
            duration=time.monotonic() - started,
            metrics=dict(outcome.metrics),
            notes=tuple(outcome.notes),
        )

    async def call(
        self,
        argv: Sequence[str],
        profile: ProjectProfile,
        *,
        ok: Collection[int] = (0, 1),
        env: Mapping[str, str] | None = None,
    ) -> ProcessOutput:
        """Run argv in the project; an exit code outside ok is a crash."""
        output = await run_process(argv, cwd=profile.root, time_limit=self.timeout, env=env)
        if output.exit_code not in ok:
            raise ToolCrashError(
                f"{self.tool} exited with code {output.exit_code}",
                exit_code=output.exit_code,
                output=output.stderr or output.stdout,
            )
        return output

    def unreadable(self, output: ProcessOutput, error: ToolOutputError) -> ToolCrashError:
        """The crash to raise when a tool's output cannot be read."""
        return ToolCrashError(
            f"{self.tool} printed output that cannot be read: {error}",
            exit_code=output.exit_code,
            output=f"{output.stdout}\n{output.stderr}",
        )

    def _result(
        self,
        status: CheckStatus,
        started: float,
        version: str | None = None,
        *,
        reason: str,
        exit_code: int | None = None,
        output_tail: str | None = None,
        notes: Sequence[str] = (),
        metrics: Mapping[str, float] | None = None,
    ) -> CheckResult:
        return CheckResult(
            name=self.name,
            tool=self.tool,
            tool_version=version,
            status=status,
            reason=reason,
            exit_code=exit_code,
            output_tail=output_tail,
            duration=time.monotonic() - started,
            metrics=dict(metrics or {}),
            notes=tuple(notes),
        )


def relative_file(filename: str, root: Path) -> str:
    """A tool's file name as a POSIX path relative to the project root (when it is inside)."""
    top = f"{root}/"
    if filename.startswith(top) and "/../" not in filename and "/./" not in filename:
        return filename[len(top) :]  # the common case, without pathlib
    path = Path(filename)
    if path.is_absolute():
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            try:
                return path.resolve().relative_to(root).as_posix()
            except ValueError:
                return path.as_posix()
    return path.as_posix().removeprefix("./")
