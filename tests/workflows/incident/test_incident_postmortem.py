"""The postmortem: Google SRE sections, the timeline from events and notes, an LLM narrative."""

from __future__ import annotations

import json
from pathlib import Path

from incident_service import HealthApp, IncidentProject, pages

from devora.store import AnswerRecord, Event, EventKind, Store
from devora.workflows.incident import (
    ActionItem,
    CommandRun,
    Declaration,
    Narrative,
    Page,
    PostmortemFacts,
    Resolution,
    Severity,
    Signals,
    blameful_phrases,
    build_timeline,
    incident_notes,
    render_postmortem,
    triage_incident,
)
from tests.cli.harness import Devora, wait_for
from tests.llm.scripted_server import ScriptedServer, openai_reply
from tests.notify.receiver import Receiver

T0 = 1_790_000_000.0

NARRATIVE = Narrative(
    summary="The API answered 503 for 20 minutes after a configuration change.",
    impact="One in five users could not check out.",
    root_causes="A configuration reload left the worker pool empty.",
    trigger="A configuration deploy at 09:00.",
    resolution="The runbook restarted the API.",
    detection="Monitoring alerted; the incident was declared within a minute.",
    action_items=[
        ActionItem(action="Validate pool size on reload", type="prevent", owner="backend team")
    ],
    went_well=["The runbook restart worked at once."],
    went_wrong=["Nobody was paged for 5 minutes."],
    got_lucky=["It happened in working hours."],
)


def facts(timeline_notes: bool = True) -> PostmortemFacts:
    signals = Signals(users_affected_pct=20, error_rate_pct=15)
    triage = triage_incident(Severity.SEV2, signals)
    events = [
        Event(run_id="r", seq=1, kind=EventKind.RUN_CREATED, at=T0),
        Event(run_id="r", seq=2, kind=EventKind.STEP_STARTED, at=T0, step_id="declare"),
        Event(
            run_id="r",
            seq=3,
            kind=EventKind.STEP_LOG,
            at=T0 + 1,
            step_id="escalate",
            message="paged level 1 (devops)",
        ),
        Event(
            run_id="r",
            seq=4,
            kind=EventKind.STEP_FINISHED,
            at=T0 + 90,
            step_id="resolve",
            message="x",
            data={"status": "succeeded"},
        ),
    ]
    notes = incident_notes(
        {
            "note:1": AnswerRecord(
                run_id="r",
                step_id="note:1",
                payload={"text": "rolled back by hand"},
                answered_by="alice",
                answered_at=T0 + 30,
            ),
            "mitigate#approval:restart": AnswerRecord(
                run_id="r",
                step_id="mitigate#approval:restart",
                payload={"approved": True},
                answered_at=T0 + 40,
            ),
        }
    )
    return PostmortemFacts(
        run_id="r",
        declaration=Declaration(
            service="api",
            summary="API answers 503",
            declared_at=T0,
            started_at=T0 - 60,
            health_url="http://127.0.0.1/health",
            runbook=["restart"],
        ),
        signals=signals,
        triage=triage,
        pages=[Page(level=0, squads=["devops"], at=T0 + 1, reached=1)],
        acknowledged_by="bob",
        acknowledged_at=T0 + 20,
        commands=[
            CommandRun(
                name="restart",
                argv=["systemctl", "restart", "api"],
                exit_code=0,
                output="done ``` fenced",
                started_at=T0 + 50,
                finished_at=T0 + 51,
                approved_by="frank",
            )
        ],
        mitigated_at=T0 + 51,
        resolution=Resolution(
            url="http://127.0.0.1/health",
            checks=3,
            healthy_in_a_row=3,
            resolved_at=T0 + 90,
            time_to_detect=60,
            time_to_acknowledge=20,
            time_to_mitigate=111,
            time_to_resolve=150,
        ),
        timeline=build_timeline(events, notes if timeline_notes else []),
    )


def test_the_timeline_merges_events_and_notes_by_time() -> None:
    timeline = facts().timeline
    assert [(entry.source, entry.text) for entry in timeline] == [
        ("escalate", "paged level 1 (devops)"),
        ("note", "rolled back by hand"),
        ("resolve", "step resolve succeeded"),
    ]
    assert timeline[1].by == "alice"


def test_a_drafted_narrative_fills_every_section() -> None:
    document = render_postmortem(facts(), NARRATIVE, "drafted by an LLM (m): review it")
    assert "_To be written" not in document and "Narrative left for a person" not in document
    assert "## Root Causes\n\nA configuration reload left the worker pool empty." in document
    assert "| Validate pool size on reload | prevent | backend team | |" in document
    assert "### Where we got lucky\n\n- It happened in working hours." in document
    assert "| Time to detect | 1m 00s |" in document and "| Time to resolve | 2m 30s |" in document
    assert "- Users affected: 20 %\n- Error rate: 15 %" in document
    assert "`restart` ran at 2026-09-21 14:14:10 UTC: exit 0, approved by frank" in document
    assert "````text\ndone ``` fenced\n````" in document  # output cannot close its fence
    assert "| 14:13:50 | note (alice) | rolled back by hand |" in document
    assert "Wording to revisit" not in document


def test_blaming_words_are_flagged_for_rewording() -> None:
    blaming = NARRATIVE.model_copy(update={"root_causes": "Human error: Bob was careless."})
    document = render_postmortem(facts(), blaming, "drafted")
    assert "> **Wording to revisit** (blameless): careless, human error" in document
    assert blameful_phrases("the blameless review of the pool") == []


def run_with_model(
    devora: Devora, store: Store, hooks: dict[str, Receiver], server: ScriptedServer
) -> tuple[str, str]:
    """Declare, note and ack an incident with a model served by `server`; its postmortem."""
    env = {
        "DEVORA_MODEL": "openai:gpt-4o-mini",
        "DEVORA_LLM_BASE_URL": f"{server.url}/v1",
        "OPENAI_API_KEY": "sk-test-incident",
    }
    process = devora.start(
        "incident", "declare", "--service", "api", "--severity", "SEV2", "API 503", **env
    )
    try:
        wait_for(lambda: pages(hooks["devops"].bodies), timeout=30)
        wait_for(lambda: store.list_runs(), timeout=60)
        [run] = store.list_runs()
        devora("incident", "note", run.id, "the pool was empty", "--by", "alice")
        assert devora("incident", "ack", run.id, "--by", "bob").returncode == 0
        out, err = process.communicate(timeout=40)
    finally:
        process.kill()
    assert process.returncode == 0, out + err
    [artifact] = [a for a in store.artifacts(run.id) if a.name == "postmortem.md"]
    return run.id, Path(artifact.path).read_text(encoding="utf-8")


def test_the_narrative_is_drafted_by_the_configured_model(
    devora: Devora,
    store: Store,
    app: HealthApp,
    hooks: dict[str, Receiver],
    project: IncidentProject,
) -> None:
    server = ScriptedServer([openai_reply(NARRATIVE.model_dump_json())]).start()
    try:
        _, document = run_with_model(devora, store, hooks, server)
    finally:
        server.stop()
    [request] = server.received
    prompt = json.dumps(request.body)
    assert "blameless" in prompt and "the pool was empty" in prompt and "API 503" in prompt
    assert "narrative drafted by an LLM (openai:gpt-4o-mini): review it" in document
    assert "A configuration reload left the worker pool empty." in document
    assert "_To be written" not in document
    run_id = store.list_runs()[0].id
    assert devora("incident", "postmortem", run_id).returncode == 0  # no model asked again
    [artifact] = [a for a in store.artifacts(run_id) if a.name == "postmortem.md"]
    rewritten = Path(artifact.path).read_text(encoding="utf-8")
    assert "A configuration reload left the worker pool empty." in rewritten
    assert "narrative drafted by an LLM (openai:gpt-4o-mini): review it" in rewritten


def test_a_model_that_cannot_draft_leaves_the_narrative_to_a_person(
    devora: Devora,
    store: Store,
    app: HealthApp,
    hooks: dict[str, Receiver],
    project: IncidentProject,
) -> None:
    server = ScriptedServer([openai_reply("I would rather not.")] * 3).start()
    try:
        run_id, document = run_with_model(devora, store, hooks, server)
    finally:
        server.stop()
    assert len(server.received) == 3  # asked again with the validation error, then gave up
    assert "openai:gpt-4o-mini could not draft it (" in document
    assert "Narrative left for a person" in document and "_To be written" in document
    assert "| note (alice) | the pool was empty |" in document
    logs = [e.message or "" for e in store.events(run_id) if e.step_id == "postmortem"]
    assert any("could not draft the narrative" in message for message in logs)
