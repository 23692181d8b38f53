"""Sign up → create → list, in a real headless Chromium, against the running app."""

from __future__ import annotations

import time
from pathlib import Path

from devora.errors import ToolNotInstalledError
from devora.tools.browser import Click, ExpectText, Fill, FlowResult, Hook, Visit, play_flow
from devora.tools.webapp import AppStartError
from devora.workflows.saas_mvp._generate import GeneratedEntity, GeneratedProject
from devora.workflows.saas_mvp._records import Verification, VerificationStatus
from devora.workflows.saas_mvp._samples import CHECK_PASSWORD, check_email, sample_values
from devora.workflows.saas_mvp._served import checked_entity, serve_argv, serve_project
from devora.workflows.saas_mvp._spec import FieldType, ProductSpec

__all__ = ["browser_flow", "verify_browser"]

NAME = "sign-up, create, list in Chromium"
MARKER = "devora-browser"
Action = Visit | Fill | Click | ExpectText | Hook
MAKE_ADMIN = "make-admin"


def browser_flow(
    project: GeneratedProject, spec: ProductSpec
) -> tuple[list[Action], GeneratedEntity]:
    """Sign up on the sign-up page, fill the entity's form, save it, find the row in its list.

    When a new account may not create any entity on its own, the flow makes it an admin
    (the project's `make-admin` command) between signing up and creating."""
    generated, as_admin = checked_entity(project, spec)
    entity = spec.entity(generated.name)
    values = sample_values(entity, MARKER)
    actions: list[Action] = [
        Visit(path=project.signup_path),
        Fill(selector="#signup-form input[name=email]", value=check_email("browser")),
        Fill(selector="#signup-form input[name=password]", value=CHECK_PASSWORD, secret=True),
        Click(selector="#signup-form button[type=submit]"),
    ]
    if as_admin:
        actions.append(Hook(name=MAKE_ADMIN))
    actions.append(Visit(path=generated.new_path))
    for field in entity.fields:
        value = values[field.name]
        if field.type is FieldType.BOOL:
            text = "on" if value else "off"
        elif field.type is FieldType.DATETIME:
            text = str(value)[:16]  # a datetime-local input takes minutes
        else:
            text = str(value)
        actions.append(Fill(selector=f"#{generated.input_id(field.name)}", value=text))
    label = entity.label_field()
    shown = str(values[label]) if label in values else MARKER
    actions += [
        Click(selector=f"#{generated.submit_id}"),
        Visit(path=generated.list_path),
        ExpectText(text=shown, selector=f"#{generated.table_id}"),
    ]
    return actions, generated


async def verify_browser(
    project: GeneratedProject, python: Path, spec: ProductSpec, screenshot: Path
) -> Verification:
    """Start the app and play the flow; the failing action, the page's text, a screenshot and
    the app's output are the evidence when it does not work."""
    actions, entity = browser_flow(project, spec)
    argv = tuple(serve_argv(project, python))
    started = time.monotonic()
    try:
        async with serve_project(project, python) as served:

            async def make_admin() -> None:
                await served.make_admin(check_email("browser"))

            result = await play_flow(
                served.app.url, actions, screenshot=screenshot, hooks={MAKE_ADMIN: make_admin}
            )
            app_output = served.app.output_tail()
    except AppStartError as error:
        return Verification(
            name=NAME,
            status=VerificationStatus.FAILED,
            command=argv,
            reason=error.problem,
            output_tail=error.output_tail,
            seconds=round(time.monotonic() - started, 3),
        )
    except ToolNotInstalledError as missing:
        return Verification(
            name=NAME,
            status=VerificationStatus.NOT_RUN,
            reason=f"{missing.message} ({missing.hint})",
        )
    return _verification(result, entity, app_output, started)


def _verification(
    result: FlowResult, entity: GeneratedEntity, app_output: str, started: float
) -> Verification:
    lines = [f"{'ok' if step.ok else 'FAILED'} {step.action} ({step.url})" for step in result.steps]
    failure = result.failure
    if failure is not None:
        lines += ["--- page text (end) ---", result.page_text_tail or ""]
        lines += ["--- app output (end) ---", app_output]
    return Verification(
        name=NAME,
        status=VerificationStatus.PASSED if result.ok else VerificationStatus.FAILED,
        command=tuple(step.action for step in result.steps),
        reason=None if failure is None else f"{failure.action}: {failure.error}",
        output_tail="\n".join(lines),
        seconds=round(time.monotonic() - started, 3),
        details={"browser": result.browser, "entity": entity.name, "screenshot": result.screenshot},
    )
