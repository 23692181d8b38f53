"""deploy (devops): the configured deploy command for the chosen environment (staging by
default), behind a devops approval; its compensation is the configured rollback command.
check (devops): the configured check after the deploy; when it fails, the run fails and the
rollback runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from devora.engine import Plan, StepContext
from devora.errors import StepError, ToolNotInstalledError
from devora.tools import ProcessTimedOut, run_bounded, tail
from devora.workflows.feature_development._config import load_feature_config
from devora.workflows.feature_development._project import project_root

__all__ = [
    "CommandRun",
    "check_deploy",
    "deploy",
    "deploy_configured",
    "plan_deploy",
    "roll_back",
]


class CommandRun(BaseModel):
    """A configured command that ran: its argv, exit code and output's end."""

    environment: str
    argv: list[str]
    exit_code: int
    output_tail: str


def deploy_configured(ctx: StepContext[Any]) -> bool:
    """A deploy command is configured for the run's environment."""
    return ctx.inputs.environment in load_feature_config(project_root(ctx)).deploy


def check_configured(ctx: StepContext[Any]) -> bool:
    """A check command is configured for the run's environment."""
    return ctx.inputs.environment in load_feature_config(project_root(ctx)).check


def _argv(ctx: StepContext[Any], kind: str) -> list[str]:
    config = load_feature_config(project_root(ctx))
    template: list[str] = getattr(config, kind)[ctx.inputs.environment]
    kept = ctx.result("review")
    values = {
        "branch": kept.branch if kept is not None else f"devora/feature-{ctx.run_id}",
        "commit": kept.commit if kept is not None else "",
        "environment": ctx.inputs.environment,
    }
    return [_fill(part, values) for part in template]


def _fill(part: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        part = part.replace("{" + name + "}", value)
    return part


async def _run(ctx: StepContext[Any], kind: str) -> CommandRun:
    argv = _argv(ctx, kind)
    config = load_feature_config(project_root(ctx))
    ctx.log(f"{kind}: {' '.join(argv)}")
    try:
        done = await run_bounded(argv, cwd=Path(project_root(ctx)), time_limit=config.timeout,
                                 merge_stderr=True)  # fmt: skip
    except FileNotFoundError as error:
        raise ToolNotInstalledError(argv[0], f"the {kind} command is not installed") from error
    except ProcessTimedOut as error:
        raise StepError(f"the {kind} command ran past {config.timeout:.0f} s and was killed",
                        hint="raise [feature_development] timeout") from error  # fmt: skip
    output = tail(done.stdout.decode("utf-8", "replace"))
    for line in output.splitlines():
        ctx.log(f"  {line}")
    run = CommandRun(environment=ctx.inputs.environment, argv=argv, exit_code=done.returncode,
                     output_tail=output)  # fmt: skip
    if done.returncode != 0:
        raise StepError(f"the {kind} command exited {done.returncode}: {' '.join(argv)}",
                        hint="see the step's log for its output")  # fmt: skip
    return run


async def deploy(ctx: StepContext[Any]) -> CommandRun:
    """After the devops approval: the deploy command."""
    return await _run(ctx, "deploy")


async def plan_deploy(ctx: StepContext[Any]) -> Plan:
    """The command a deploy would run (and the rollback that would undo it)."""
    config = load_feature_config(project_root(ctx))
    environment = ctx.inputs.environment
    changes = [" ".join(_argv(ctx, "deploy"))]
    rollback = config.rollback.get(environment)
    return Plan(
        summary=f"would deploy to {environment}",
        changes=changes,
        predicted_output={"rollback": " ".join(rollback) if rollback else None},
    )


async def check_deploy(ctx: StepContext[Any]) -> CommandRun:
    """The check after the deploy; a failure fails the run, and the rollback runs."""
    return await _run(ctx, "check")


async def roll_back(ctx: StepContext[Any]) -> None:
    """Compensation of deploy: the configured rollback command (none configured: said so)."""
    if ctx.inputs.environment not in load_feature_config(project_root(ctx)).rollback:
        ctx.log(f"no rollback command configured for {ctx.inputs.environment}: nothing undone")
        return
    await _run(ctx, "rollback")
