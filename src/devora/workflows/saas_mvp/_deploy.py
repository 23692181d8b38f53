"""The deploy step: the configured deploy command behind a devops approval; by default, the
verified app started here (it keeps running after the run) and its URL printed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from devora.engine import Plan, StepContext
from devora.errors import StepError
from devora.secrets import redact
from devora.tools._subprocess import ProcessTimedOut, run_bounded, tail
from devora.tools.webapp import (
    AppStartError,
    free_port,
    process_start_time,
    start_detached,
    stop_command,
    stop_detached,
)
from devora.workflows.saas_mvp._architecture import project_of
from devora.workflows.saas_mvp._plan import deploy_plan
from devora.workflows.saas_mvp._records import Deployment
from devora.workflows.saas_mvp._served import START_WITHIN, app_environment
from devora.workflows.saas_mvp._verify_tests import project_environment

__all__ = ["DEPLOY_TIME_LIMIT", "deploy", "plan_deploy", "undeploy", "will_deploy"]

DEPLOY_TIME_LIMIT = 1800.0


def will_deploy(ctx: StepContext[Any]) -> bool:
    """Deploy unless --no-deploy."""
    return bool(ctx.inputs.deploy)


async def deploy(ctx: StepContext[Any]) -> Deployment:
    """Run the deploy command once a devops approver agrees, or start the app locally."""
    project = project_of(ctx.result("architecture"))
    command: list[str] | None = ctx.inputs.deploy_command
    if command:
        answer = ctx.wait_for_approval(
            f"deploy {project.path} with: {' '.join(command)}", squad="devops"
        )
        if not answer.approved:
            by = f" by {answer.by}" if answer.by else ""
            why = f": {answer.comment}" if answer.comment else ""
            raise StepError(
                f"the deploy was rejected{by}{why}",
                hint="the verified project is kept; deploy it by hand, or run again",
            )
        return await _run_command(command, project.path)
    environment = await project_environment(
        project.path, ctx.home / "cache" / "environments", ctx.log
    )
    if environment.python is None or not environment.usable:
        raise StepError(f"cannot start the app: no Python environment ({environment.problem})")
    port = free_port()
    log = ctx.artifacts_dir / "app.log"
    database = f"sqlite:///{project.path / 'app.db'}"
    try:
        running = await start_detached(
            project.run_argv(environment.python, migrate=True),
            cwd=project.path,
            port=port,
            log=log,
            env=app_environment(project, port, database),
            health_path=project.health_path,
            start_within=START_WITHIN,
        )
    except AppStartError as error:
        raise StepError(f"{error.message}\n{error.output_tail}", hint=error.hint) from error
    stop = stop_command(running.pid)
    ctx.log(
        f"{project.package} is running at {running.url} "
        f"(pid {running.pid}; stop it with: {' '.join(stop)})"
    )
    return Deployment(
        kind="local",
        url=running.url,
        pid=running.pid,
        command=running.argv,
        log=str(log),
        stop=stop,
        process_start=process_start_time(running.pid),
    )


async def undeploy(ctx: StepContext[Any]) -> None:
    """Compensation of deploy: a local deployment is stopped (its process group, if it is
    still the process deploy started); a deploy command has no rollback to run."""
    deployment: Deployment | None = ctx.result("deploy")
    if deployment is None or deployment.kind != "local" or deployment.pid is None:
        ctx.log("the deploy command has no rollback here: nothing undone")
        return
    ctx.log(await stop_detached(deployment.pid, deployment.process_start))


async def _run_command(command: list[str], root: Path) -> Deployment:
    try:
        done = await run_bounded(command, cwd=root, time_limit=DEPLOY_TIME_LIMIT, merge_stderr=True)
    except FileNotFoundError as error:
        raise StepError(
            f"the deploy command {command[0]} was not found",
            hint="[saas_mvp] deploy in devora.toml names an argv list: the program first",
        ) from error
    except ProcessTimedOut as error:
        raise StepError(f"the deploy command ran past {DEPLOY_TIME_LIMIT:g} s") from error
    output = redact(tail(done.stdout.decode(errors="replace")))
    if done.returncode != 0:
        raise StepError(
            f"the deploy command exited with {done.returncode}: {' '.join(command)}\n{output}",
            hint="run it by hand in the generated project to see why",
        )
    return Deployment(kind="command", command=tuple(command), exit_status=0, output_tail=output)


async def plan_deploy(ctx: StepContext[Any]) -> Plan:
    """What deploy would do: the command (after an approval) or a local start."""
    return Plan(summary=deploy_plan(ctx.inputs))
