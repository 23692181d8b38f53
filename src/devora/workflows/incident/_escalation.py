"""Step 2, triage and escalate: set the severity, page, and page the next level on silence.

The step is durable across process exits. Each page is journaled as a log event of the
step; a resumed step rebuilds what it paged, and when, from those events, so it neither
pages a level twice nor forgets a deadline. While it runs it looks for the
acknowledgement `devora incident ack RUN` files (an answer under this step's id); past
the last level's deadline it suspends the run until one comes.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from devora.config import load_config
from devora.engine import Plan, StepContext
from devora.notify import Notification
from devora.squads import effective_squads
from devora.store import AnswerRecord
from devora.workflows.incident._config import EscalationPolicy, load_incident_settings
from devora.workflows.incident._inputs import IncidentInputs
from devora.workflows.incident._paging import page_squads
from devora.workflows.incident._records import Acknowledgement, Declaration, Escalation, Page
from devora.workflows.incident._run_access import fresh_answer, run_events, step_logs
from devora.workflows.incident._severity import Triage, triage_incident

__all__ = ["ACK_STEP", "WORKFLOW_NAME", "escalate_incident", "plan_escalation"]

ACK_STEP = "escalate"  # acknowledgements are filed as this step's answer
WORKFLOW_NAME = "incident-response"
_POLL_SECONDS = 0.5


async def escalate_incident(ctx: StepContext[IncidentInputs]) -> Escalation:
    """Triage, page the first level, and the next ones while nobody acknowledges."""
    declaration: Declaration = ctx.result("declare")
    triage = triage_incident(ctx.inputs.severity, ctx.inputs.signals())
    policy = load_incident_settings().policy(triage.severity)
    events = await run_events(ctx)
    if not step_logs(events, ctx.step_id, "triage"):
        ctx.log(
            f"triaged {triage.severity.value} ({triage.priority}): {'; '.join(triage.reasons)}",
            triage=triage.model_dump(mode="json"),
        )
    ctx.set_summary(severity=triage.severity.value, priority=triage.priority)
    pages = [Page.model_validate(page) for page in step_logs(events, ctx.step_id, "page")]
    if not pages:  # the first level hears of the incident even if someone acked already
        pages.append(await _page(ctx, declaration, triage, policy, 0))
    while True:
        answer = await fresh_answer(ctx, ctx.step_id)
        if answer is not None:
            return _acknowledged(ctx, triage, pages, answer)
        last = pages[-1]
        level = min(last.level, len(policy.levels) - 1)
        wait = last.at + policy.levels[level].ack_minutes * 60 - time.time()
        if wait > 0:
            await asyncio.sleep(min(_POLL_SECONDS, wait))
        elif level + 1 < len(policy.levels):
            pages.append(await _page(ctx, declaration, triage, policy, level + 1))
        else:
            # Every level was paged and nobody answered: the run waits for the ack.
            ctx.wait_for_input(
                f"Acknowledge incident {ctx.run_id} ({triage.severity.value} on "
                f"{declaration.service}): nobody has after {len(pages)} page(s). "
                f"Run: devora incident ack {ctx.run_id}",
                Acknowledgement,
                squad="devops",
            )


def _acknowledged(
    ctx: StepContext[Any], triage: Triage, pages: list[Page], answer: AnswerRecord
) -> Escalation:
    ack = Acknowledgement.model_validate(answer.payload)
    by = ack.by or answer.answered_by or "someone"
    comment = f": {ack.comment}" if ack.comment else ""
    ctx.log(
        f"acknowledged by {by}{comment}",
        ack={"by": by, "at": answer.answered_at, "comment": ack.comment},
    )
    return Escalation(
        triage=triage, pages=pages, acknowledged_by=by, acknowledged_at=answer.answered_at
    )


async def _page(
    ctx: StepContext[Any],
    declaration: Declaration,
    triage: Triage,
    policy: EscalationPolicy,
    level: int,
) -> Page:
    squads = policy.levels[level].squads
    severity = triage.severity.value
    kind = "incident.declared" if level == 0 else "incident.escalated"
    escalated = "" if level == 0 else f" (escalated: level {level + 1}, no ack yet)"
    notification = Notification(
        kind,
        ctx.run_id,
        WORKFLOW_NAME,
        severity,
        ctx.step_id,
        None,
        f"[{severity} {triage.priority}] incident on {declaration.service}: "
        f"{declaration.summary}{escalated} — acknowledge: devora incident ack {ctx.run_id}",
        time.time(),
    )
    deliveries = await page_squads(effective_squads(load_config()), squads, notification)
    page = Page(
        level=level,
        squads=list(squads),
        at=time.time(),
        reached=sum(1 for delivery in deliveries if delivery.ok),
        failed=[f"{d.squad}/{d.contact}: {d.error}" for d in deliveries if not d.ok],
    )
    minutes = policy.levels[level].ack_minutes
    nobody = "; nobody reached: no contact configured" if not deliveries else ""
    then = (
        f"next level after {minutes:g} min without an ack"
        if level + 1 < len(policy.levels)
        else f"last level: the run waits for an ack after {minutes:g} min"
    )
    ctx.log(
        f"paged level {level + 1} ({', '.join(squads)}): {page.reached} of {len(deliveries)} "
        f"contact(s) reached{nobody}; {then}",
        page=page.model_dump(mode="json"),
    )
    return page


def plan_escalation(ctx: StepContext[IncidentInputs]) -> Plan:
    """Who would be paged, and when, without paging anyone."""
    triage = triage_incident(ctx.inputs.severity, ctx.inputs.signals())
    policy = load_incident_settings().policy(triage.severity)
    changes = []
    after = 0.0
    for index, level in enumerate(policy.levels):
        when = "at once" if index == 0 else f"after {after:g} min without an ack"
        changes.append(f"page {', '.join(level.squads)} {when}")
        after += level.ack_minutes
    return Plan(
        summary=f"{triage.severity.value} ({triage.priority}): would page "
        f"{', '.join(policy.levels[0].squads)}",
        changes=changes,
        details={"triage": triage.model_dump(mode="json")},
        # Lets the dry-run go on to plan the runbook, as if someone acknowledged.
        predicted_output=Escalation(
            triage=triage, pages=[], acknowledged_by="(dry-run)", acknowledged_at=time.time()
        ).model_dump(mode="json"),
    )
