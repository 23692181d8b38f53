"""The postmortem document, after the Google SRE book's template (Appendix D).

Facts Devora knows — severity, impact signals, who was paged, the commands that ran, the
durations, the timeline — are always written. The narrative (summary, root causes,
trigger, lessons, action items) comes from an LLM when one is configured; otherwise each
narrative section says it is left for a person to write.
"""

from __future__ import annotations

import re
import shlex
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from devora.workflows.incident._records import CommandRun, Declaration, Page, Resolution
from devora.workflows.incident._severity import Signals, Triage
from devora.workflows.incident._timeline import TimelineEntry, format_clock, format_duration

__all__ = [
    "NO_MODEL",
    "TO_FILL",
    "ActionItem",
    "Narrative",
    "PostmortemFacts",
    "blameful_phrases",
    "render_postmortem",
]

TO_FILL = "_To be written by the incident's owners._"
NO_MODEL = (
    "no LLM model is configured for the documentation squad's technical writer. Set "
    "`DEVORA_MODEL` (see docs/configuration.md) to have Devora draft it."
)

# Words that point at people instead of at systems and processes.
_BLAME = re.compile(
    r"\b(blame[sd]?|fault of|careless(?:ly|ness)?|negligen(?:t|ce)|incompeten(?:t|ce)|"
    r"stupid|should have known|human error|screwed up|messed up)\b",
    re.IGNORECASE,
)


class ActionItem(BaseModel):
    """Something to do so it does not happen again, with who owns it."""

    action: str
    type: str = Field(description="mitigate, prevent or process")
    owner: str = Field(description="a team or role, not a person to blame")


class Narrative(BaseModel):
    """The parts of the postmortem a writer drafts from the facts and the timeline."""

    summary: str
    impact: str
    root_causes: str
    trigger: str
    resolution: str
    detection: str
    action_items: list[ActionItem]
    went_well: list[str]
    went_wrong: list[str]
    got_lucky: list[str]


class PostmortemFacts(BaseModel):
    """What Devora recorded about the incident, also of one that failed half-way."""

    run_id: str
    declaration: Declaration
    signals: Signals
    triage: Triage
    pages: list[Page]
    acknowledged_by: str | None = None
    acknowledged_at: float | None = None
    commands: list[CommandRun] = Field(default_factory=list)
    mitigated_at: float | None = None
    resolution: Resolution | None = None
    failure: str | None = Field(default=None, description="why the run stopped short")
    timeline: list[TimelineEntry]

    def durations(self) -> dict[str, float | None]:
        """Seconds to detect, acknowledge, mitigate and resolve (None: not reached)."""
        decl = self.declaration
        return {
            "detect": decl.declared_at - decl.started_at,
            "acknowledge": (
                self.acknowledged_at - decl.declared_at if self.acknowledged_at else None
            ),
            "mitigate": self.mitigated_at - decl.started_at if self.mitigated_at else None,
            "resolve": (self.resolution.resolved_at - decl.started_at if self.resolution else None),
        }


def blameful_phrases(text: str) -> list[str]:
    """Phrases that blame people, to reword (a postmortem is blameless)."""
    return sorted({match.group(0).lower() for match in _BLAME.finditer(text)})


def _impact_facts(facts: PostmortemFacts) -> list[str]:
    signals = facts.signals
    lines = []
    if signals.users_affected_pct is not None:
        lines.append(f"- Users affected: {signals.users_affected_pct:g} %")
    if signals.error_rate_pct is not None:
        lines.append(f"- Error rate: {signals.error_rate_pct:g} %")
    for name, label in (
        ("data_loss", "Data loss"),
        ("security_breach", "Security breach"),
        ("revenue_impact", "Revenue impact"),
    ):
        value = getattr(signals, name)
        if value is not None:
            lines.append(f"- {label}: {'yes' if value else 'no'}")
    if facts.triage.unknown_signals:
        lines.append(f"- Not measured: {', '.join(facts.triage.unknown_signals)}")
    resolve = facts.durations()["resolve"]
    if resolve is not None:
        lines.append(
            f"- Duration: {format_duration(resolve)} (from the start of the problem to resolution)"
        )
    else:
        lines.append("- Duration: not resolved when this was written")
    return lines


def _resolution_facts(facts: PostmortemFacts) -> list[str]:
    lines = []
    for run in facts.commands:
        approved = f", approved by {run.approved_by}" if run.approved_by else ""
        lines.append(
            f"- `{run.name}` ran at {format_clock(run.started_at)}: exit {run.exit_code}{approved}"
        )
    res = facts.resolution
    if res is not None:
        lines.append(
            f"- {res.url} answered healthy {res.healthy_in_a_row} times in a row at "
            f"{format_clock(res.resolved_at)} ({res.checks} checks)"
        )
    if facts.failure:
        lines.append(f"- Not resolved by Devora: {facts.failure}")
    return lines


def _detection_facts(facts: PostmortemFacts) -> list[str]:
    decl = facts.declaration
    lines = [
        f"- The problem began at {format_clock(decl.started_at)}; the incident was declared "
        f"at {format_clock(decl.declared_at)}.",
    ]
    for page in facts.pages:
        lines.append(
            f"- Level {page.level + 1} paged ({', '.join(page.squads)}) at "
            f"{format_clock(page.at)}: {page.reached} contact(s) reached."
        )
    if facts.acknowledged_at is not None:
        lines.append(
            f"- Acknowledged by {facts.acknowledged_by} at {format_clock(facts.acknowledged_at)}."
        )
    else:
        lines.append("- Nobody acknowledged through Devora.")
    return lines


def _section(title: str, facts: list[str], text: str | None) -> list[str]:
    body = [f"## {title}", ""]
    if facts:
        body += [*facts, ""]
    body += [text.strip() if text else TO_FILL, ""]
    return body


def _bullets(items: list[str] | None) -> list[str]:
    if items is None:
        return [TO_FILL]
    return [f"- {item}" for item in items] or ["- (none)"]


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_postmortem(
    facts: PostmortemFacts,
    narrative: Narrative | None,
    drafted_by: str,
    *,
    left_because: str = NO_MODEL,
) -> str:
    """The postmortem in Markdown: facts always, the narrative or a note to fill it in."""
    decl, triage, durations = facts.declaration, facts.triage, facts.durations()
    n = narrative
    lines = [
        f"# Postmortem: {decl.summary}",
        "",
        "| | |",
        "| --- | --- |",
        f"| Incident | `{facts.run_id}` |",
        f"| Service | {decl.service} |",
        f"| Severity | {triage.severity.value} ({triage.priority}) — {'; '.join(triage.reasons)} |",
        f"| Date | {datetime.fromtimestamp(decl.declared_at, UTC).date().isoformat()} |",
        f"| Authors | Devora (facts and timeline); narrative {drafted_by} |",
        "| Status | Draft: review it, complete it and agree on the action items"
        + (" (Devora's run stopped before the end: see Resolution)" if facts.failure else "")
        + " |",
        *(
            f"| Time to {name} | "
            f"{format_duration(seconds) if seconds is not None else 'not reached'} |"
            for name, seconds in durations.items()
        ),
        "",
        "> This postmortem is blameless: it describes how systems and processes behaved and "
        "how to improve them, not who is at fault.",
        "",
    ]
    if n is None:
        lines += [
            "> **Narrative left for a person**: the sections marked _To be written_ are for "
            f"the incident's owners to fill: {left_because}",
            "",
        ]
    lines += _section(
        "Summary",
        [f"{decl.summary}. {triage.severity.value} incident on {decl.service}."],
        n.summary if n else None,
    )
    lines += _section("Impact", _impact_facts(facts), n.impact if n else None)
    lines += _section("Root Causes", [], n.root_causes if n else None)
    lines += _section("Trigger", [], n.trigger if n else None)
    lines += _section("Resolution", _resolution_facts(facts), n.resolution if n else None)
    lines += _section("Detection", _detection_facts(facts), n.detection if n else None)
    lines += ["## Action Items", "", "| Action Item | Type | Owner | Bug |", "| --- " * 4 + "|"]
    if n is not None and n.action_items:
        lines += [
            f"| {_cell(item.action)} | {_cell(item.type)} | {_cell(item.owner)} | |"
            for item in n.action_items
        ]
    else:
        lines.append("| _To be agreed by the incident's owners_ | | _owner_ | |")
    lines += ["", "## Lessons Learned", "", "### What went well", ""]
    lines += _bullets(n.went_well if n else None)
    lines += ["", "### What went wrong", ""]
    lines += _bullets(n.went_wrong if n else None)
    lines += ["", "### Where we got lucky", ""]
    lines += _bullets(n.got_lucky if n else None)
    lines += ["", "## Timeline", "", "| Time (UTC) | Source | What happened |", "| --- " * 3 + "|"]
    for entry in facts.timeline:
        who = f" ({entry.by})" if entry.by else ""
        text = _cell(entry.text)
        lines.append(f"| {format_clock(entry.at)[11:19]} | {entry.source}{who} | {text} |")
    lines += ["", "## Supporting information", ""]
    for run in facts.commands:
        fence = "`" * max(3, _longest_backtick_run(run.output) + 1)
        lines += [f"Output of `{run.name}` (`{shlex.join(run.argv)}`):", "", f"{fence}text"]
        lines += [run.output.rstrip() or "(no output)", fence, ""]
    lines += [f"The full record: `devora status {facts.run_id}` and `devora logs {facts.run_id}`."]
    wording = blameful_phrases("\n".join(lines))
    if wording:
        lines += [
            "",
            f"> **Wording to revisit** (blameless): {', '.join(wording)} — describe what the "
            "system allowed, not who is at fault.",
        ]
    return "\n".join(lines) + "\n"
