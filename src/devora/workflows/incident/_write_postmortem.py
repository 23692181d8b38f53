"""Step 5, postmortem: the facts and timeline from the run's journal and notes, the
narrative from an LLM when one is configured, written as the run's `postmortem.md`."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from devora.config import load_config
from devora.engine import StepContext
from devora.errors import DevoraError
from devora.llm import BudgetExceeded
from devora.squads import AgentTask, Backend, effective_squads, find_agent
from devora.workflows.incident._facts import incident_facts
from devora.workflows.incident._inputs import IncidentInputs
from devora.workflows.incident._postmortem import (
    NO_MODEL,
    Narrative,
    PostmortemFacts,
    render_postmortem,
)
from devora.workflows.incident._records import PostmortemReport
from devora.workflows.incident._run_access import run_store
from devora.workflows.incident._timeline import format_clock

__all__ = ["NARRATIVE_AGENT", "POSTMORTEM_ARTIFACT", "narrative_model", "write_postmortem"]

POSTMORTEM_ARTIFACT = "postmortem.md"
NARRATIVE_AGENT = ("documentation", "technical-writer")


def narrative_model() -> str | None:
    """The model that drafts the narrative, or None when none is configured."""
    squad, agent = NARRATIVE_AGENT
    member = find_agent(effective_squads(load_config()), squad, agent)
    return member.model if member.backend is Backend.LLM else None


async def write_postmortem(ctx: StepContext[IncidentInputs]) -> PostmortemReport:
    """Gather the facts and the timeline, draft the narrative if a model can, write it."""
    store = run_store(ctx)
    run = await asyncio.to_thread(store.get_run, ctx.run_id)
    facts = await asyncio.to_thread(incident_facts, store, run)
    model = narrative_model()
    narrative: Narrative | None = None
    drafted_by = "left for a person (no LLM model configured)"
    left_because = NO_MODEL
    if model is not None:
        ctx.log(f"drafting the narrative with {model}")
        squad, agent = NARRATIVE_AGENT
        task: AgentTask[Narrative] = AgentTask(squad, Narrative, _instructions(facts), agent=agent)
        try:
            narrative = await task.run(ctx)
            drafted_by = f"drafted by an LLM ({model}): review it"
        except BudgetExceeded:
            raise  # the run's budget is a hard stop, as for every LLM step
        except DevoraError as exc:
            # The incident is resolved; a model that cannot draft must not fail its record.
            ctx.log(f"{model} could not draft the narrative: {exc}; left for a person")
            drafted_by = f"left for a person ({model} could not draft it)"
            left_because = f"{model} could not draft it ({exc})."
            model = None
    else:
        ctx.log("no LLM model configured: the narrative sections are left for a person")
    document = render_postmortem(facts, narrative, drafted_by, left_because=left_because)
    path = ctx.add_artifact(POSTMORTEM_ARTIFACT, document, media_type="text/markdown")
    ctx.log(f"postmortem written: {path} ({len(facts.timeline)} timeline entries)")
    return PostmortemReport(
        artifact=POSTMORTEM_ARTIFACT,
        path=str(path),
        drafted_by=f"llm:{model}" if model else "person",
        timeline_entries=len(facts.timeline),
        narrative=narrative.model_dump(mode="json") if narrative else None,
    )


def _instructions(facts: PostmortemFacts) -> str:
    timeline = "\n".join(
        f"{format_clock(e.at)} [{e.source}{' ' + e.by if e.by else ''}] {e.text}"
        for e in facts.timeline
    )
    data: dict[str, Any] = facts.model_dump(mode="json", exclude={"timeline"})
    for run in data["commands"]:
        run["output"] = run["output"][-1500:]
    return (
        "Draft the narrative of a blameless postmortem (Google SRE template) for this "
        "incident. Describe what systems and processes did and how to improve them; never "
        "blame a person, never guess facts that are not below: when something is unknown, "
        "say it needs investigation. Action items need an owner (a team or a role) and a "
        "type (mitigate, prevent or process).\n\n"
        f"Facts (JSON):\n{json.dumps(data, indent=1)}\n\nTimeline (UTC):\n{timeline}\n"
    )
