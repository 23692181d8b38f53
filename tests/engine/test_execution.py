"""Run semantics with toy actions on a real store: scheduling, results, failures, saga."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import BaseModel

from devora.engine import (
    Action,
    Engine,
    Plan,
    Retry,
    RunStatus,
    Step,
    StepContext,
    StepStatus,
    Workflow,
    answer_request,
)
from devora.errors import WorkflowDefinitionError
from devora.store import Phase, Store
from tests.engine import toy_workflows as toys
from tests.engine.conftest import Recorder, journal_then_die


@pytest.fixture(autouse=True)
def counter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "counter"
    monkeypatch.setenv("TOY_COUNTER", str(path))
    return path


def ran(counter: Path) -> list[str]:
    return counter.read_text().split() if counter.exists() else []


async def test_chain_runs_and_outputs_are_journaled(any_store: Store) -> None:
    result = await Engine(any_store).run(toys.chain, {"seed": 3})
    assert result.status is RunStatus.SUCCEEDED
    assert result.outputs == {"last": {"total": 2 * 31 + 30, "side": "side-3"}}
    stored = any_store.get_run(result.run_id)
    assert stored.status is RunStatus.SUCCEEDED and stored.outputs == result.outputs
    attempts = any_store.attempts(result.run_id)
    assert {a.step_id for a in attempts} == {"first", "second", "side", "slow", "last"}
    assert all(a.status is StepStatus.SUCCEEDED for a in attempts)
    kinds = [e.kind.value for e in any_store.events(result.run_id)]
    assert kinds[0] == "run.created" and kinds[-1] == "run.finished"
    assert [e.seq for e in any_store.events(result.run_id)] == list(range(1, len(kinds) + 1))


async def test_results_commit_before_dependents_start(store: Store) -> None:
    """A dependent sees its need's result already in the store: the durable rule."""
    seen: list[bool] = []

    async def producer(ctx: StepContext[BaseModel]) -> int:
        return 7

    async def consumer(ctx: StepContext[BaseModel]) -> int:
        recorded = {a.step_id for a in store.attempts(ctx.run_id)}
        seen.append("producer" in recorded)
        return ctx.result("producer")

    wf = Workflow(
        "durable", [Step("producer", producer), Step("consumer", consumer, needs=["producer"])]
    )
    result = await Engine(store).run(wf)
    assert result.status is RunStatus.SUCCEEDED and seen == [True]


async def test_parallel_steps_respect_the_concurrency_limit(store: Store) -> None:
    running = 0
    peak = 0

    async def work(ctx: StepContext[BaseModel]) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.02)
        running -= 1

    wf = Workflow("fan", [Step(f"s{i}", work) for i in range(10)], concurrency=3)
    result = await Engine(store).run(wf)
    assert result.status is RunStatus.SUCCEEDED and peak == 3
    unlimited = await Engine(store, concurrency=10).run(wf)
    assert unlimited.status is RunStatus.SUCCEEDED and peak == 10


async def test_parallel_steps_overlap_in_time(store: Store) -> None:
    async def nap(ctx: StepContext[BaseModel]) -> None:
        await asyncio.sleep(0.2)

    wf = Workflow("naps", [Step(f"n{i}", nap) for i in range(5)])
    loop = asyncio.get_running_loop()
    started = loop.time()
    await Engine(store).run(wf)
    assert loop.time() - started < 0.6


class Build(BaseModel):
    version: str
    size: int


async def build(ctx: StepContext[BaseModel]) -> Build:
    return Build(version="1.0", size=3)


async def plan_build(ctx: StepContext[BaseModel]) -> Plan:
    return Plan(summary="would build", predicted_output={"version": "0.0", "size": 0})


async def use_build(ctx: StepContext[BaseModel]) -> int:
    value = ctx.result("build")
    assert isinstance(value, Build), f"{value!r} is not a Build"
    return value.size


async def test_typed_outputs_survive_the_journal(store: Store) -> None:
    """Live, planned (dry-run) or replayed, a step's output comes back as its declared type."""
    wf = Workflow(
        "typed",
        [
            Step("build", build, side_effects=True, plan=plan_build),
            Step("use", use_build, needs=["build"], approval="qa"),
        ],
    )
    planned = await Engine(store).run(wf, dry_run=True)
    assert planned.status is RunStatus.SUCCEEDED and planned.steps["use"].output == 0
    waiting = await Engine(store).run(wf)
    assert waiting.status is RunStatus.WAITING
    stored = {a.step_id: a.output for a in store.attempts(waiting.run_id)}
    assert stored["build"] == {"version": "1.0", "size": 3}
    answer_request(store, waiting.run_id, "use", {"approved": True}, kind="approval")
    resumed = await Engine(store).resume(waiting.run_id, wf)  # `build` is replayed
    assert resumed.status is RunStatus.SUCCEEDED and resumed.outputs == {"use": 3}
    assert isinstance(resumed.steps["build"].output, Build)


def test_an_output_type_that_cannot_be_resolved_fails_the_definition() -> None:
    async def build_later(ctx: StepContext[BaseModel]) -> LaterModel:  # type: ignore[name-defined]  # noqa: F821
        return None

    with pytest.raises(WorkflowDefinitionError, match=r"step 'b'.*cannot be resolved.*LaterModel"):
        Workflow("untyped", [Step("b", build_later)])


async def test_false_condition_skips_and_skips_propagate(store: Store) -> None:
    async def noop(ctx: StepContext[BaseModel]) -> str:
        return ctx.step_id

    wf = Workflow(
        "skips",
        [
            Step("a", noop),
            Step("cond", noop, needs=["a"], when=lambda ctx: False),
            Step("only_skipped", noop, needs=["cond"]),
            Step("mixed", noop, needs=["a", "cond"]),
        ],
    )
    result = await Engine(store).run(wf)
    statuses = {k: v.status for k, v in result.steps.items()}
    assert statuses == {
        "a": StepStatus.SUCCEEDED,
        "cond": StepStatus.SKIPPED,
        "only_skipped": StepStatus.SKIPPED,
        "mixed": StepStatus.SUCCEEDED,
    }
    assert result.status is RunStatus.SUCCEEDED


async def test_retry_records_every_attempt(
    store: Store, counter: Path, recorder: Recorder, engine: Engine
) -> None:
    result = await engine.run(toys.retrying, {"failures": 2})
    assert result.status is RunStatus.SUCCEEDED and result.outputs == {"flaky": 3}
    attempts = store.attempts(result.run_id)
    assert [(a.attempt, a.status.value) for a in attempts] == [
        (1, "retried"),
        (2, "retried"),
        (3, "succeeded"),
    ]
    assert attempts[0].error is not None and "attempt 1 failed" in attempts[0].error["message"]
    assert recorder.kinds("flaky").count("step.retry_scheduled") == 2
    assert ran(counter) == ["flaky"] * 3


async def test_exhausted_retries_fail_with_type_message_and_traceback(store: Store) -> None:
    result = await Engine(store).run(toys.retrying, {"failures": 5})
    assert result.status is RunStatus.FAILED
    error = store.get_run(result.run_id).error
    assert error is not None
    assert error["type"] == "builtins.ConnectionError"
    assert error["message"] == "attempt 3 failed" and error["step"] == "flaky"
    last = store.attempts(result.run_id)[-1]
    assert last.error is not None and "Traceback" in last.error["traceback"]
    assert "raise ConnectionError" in last.error["traceback"]


async def test_timeout_cancels_the_step(store: Store) -> None:
    cancelled = asyncio.Event()

    async def hang(ctx: StepContext[BaseModel]) -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    wf = Workflow("hangs", [Step("hang", hang, timeout=0.1, retry=Retry(2, backoff=0))])
    result = await Engine(store).run(wf)
    assert result.status is RunStatus.FAILED and cancelled.is_set()
    assert result.error is not None
    assert result.error.message == "step 'hang' timed out after 0.1s"
    assert len(store.attempts(result.run_id)) == 2  # the timeout was retried once


async def test_failure_compensates_in_reverse_completion_order(store: Store, counter: Path) -> None:
    result = await Engine(store).run(toys.saga, {"fail": True})
    assert result.status is RunStatus.ROLLED_BACK
    assert ran(counter) == ["write_a", "write_b", "undo_b", "undo_a"]
    compensations = store.attempts(result.run_id, Phase.COMPENSATE)
    assert [(c.step_id, c.status.value) for c in compensations] == [
        ("write_b", "compensated"),
        ("write_a", "compensated"),
    ]
    assert result.error is not None and result.error.message == "exploded on purpose"


async def test_a_failing_compensation_ends_rollback_failed(store: Store) -> None:
    async def ok(ctx: StepContext[BaseModel]) -> None:
        return None

    async def broken_undo(ctx: StepContext[BaseModel]) -> None:
        raise RuntimeError("cannot undo")

    undone: list[str] = []

    async def undo(ctx: StepContext[BaseModel]) -> None:
        undone.append(ctx.step_id)

    async def fail(ctx: StepContext[BaseModel]) -> None:
        raise RuntimeError("boom")

    wf = Workflow(
        "bad-undo",
        [
            Step("one", ok, compensate=undo),
            Step("two", ok, needs=["one"], compensate=broken_undo),
            Step("three", fail, needs=["two"]),
        ],
    )
    result = await Engine(store).run(wf)
    assert result.status is RunStatus.ROLLBACK_FAILED
    assert undone == ["one"]  # the others still run after one compensation fails
    assert result.compensations["two"].status is StepStatus.COMPENSATION_FAILED


async def test_a_failure_without_compensations_ends_failed(store: Store) -> None:
    result = await Engine(store).run(toys.retrying, {"failures": 9})
    assert result.status is RunStatus.FAILED


async def test_dry_run_plans_and_never_runs_side_effects(store: Store) -> None:
    calls: list[str] = []

    class Deploy(Action[str]):
        async def run(self, ctx: StepContext[BaseModel]) -> str:
            calls.append("run")
            return "deployed"

        async def plan(self, ctx: StepContext[BaseModel]) -> Plan:
            calls.append("plan")
            return Plan(summary="would deploy v1", changes=["update service api"])

    async def build(ctx: StepContext[BaseModel]) -> str:
        return "v1"

    async def smoke(ctx: StepContext[BaseModel]) -> str:
        calls.append("smoke")
        return "ok"

    wf = Workflow(
        "deploy",
        [
            Step("build", build),
            Step("deploy", Deploy(), needs=["build"], side_effects=True),
            Step("smoke", smoke, needs=["deploy"]),
        ],
    )
    result = await Engine(store).run(wf, dry_run=True)
    assert calls == ["plan"]
    assert result.status is RunStatus.SUCCEEDED and result.dry_run
    assert result.plans["deploy"].summary == "would deploy v1"
    assert result.steps["smoke"].status is StepStatus.SKIPPED
    finished = store.events(result.run_id)[-1]
    assert finished.data["plans"]["deploy"]["changes"] == ["update service api"]
    assert store.get_run(result.run_id).dry_run


async def test_approval_gate_waits_then_continues(store: Store, counter: Path) -> None:
    result = await Engine(store).run(toys.gated)
    assert result.status is RunStatus.WAITING
    assert result.waiting["deploy"].kind == "approval"
    assert ran(counter) == ["prepare"]
    answer_request(store, result.run_id, "deploy", {"approved": True}, kind="approval")
    resumed = await Engine(store).resume(result.run_id, toys.gated)
    assert resumed.status is RunStatus.WAITING
    assert resumed.waiting["release_notes"].kind == "input"
    assert ran(counter) == ["prepare", "deploy"]
    answer_request(
        store, result.run_id, "release_notes", {"text": "hi", "reviewers": 2}, kind="input"
    )
    done = await Engine(store).resume(result.run_id, toys.gated)
    assert done.status is RunStatus.SUCCEEDED
    assert done.outputs == {"release_notes": "hi (2 reviewers)"}
    assert ran(counter) == ["prepare", "deploy", "release_notes"]


async def test_rejection_fails_the_gated_step(store: Store) -> None:
    result = await Engine(store).run(toys.gated)
    answer_request(
        store,
        result.run_id,
        "deploy",
        {"approved": False, "comment": "not today"},
        kind="approval",
        answered_by="alice",
    )
    resumed = await Engine(store).resume(result.run_id, toys.gated)
    assert resumed.status is RunStatus.FAILED
    assert resumed.error is not None
    assert resumed.error.message == "step 'deploy' was rejected by alice: not today"


async def test_input_not_fitting_the_model_is_refused(store: Store) -> None:
    from devora.errors import UsageError

    result = await Engine(store).run(toys.gated)
    answer_request(store, result.run_id, "deploy", {"approved": True}, kind="approval")
    await Engine(store).resume(result.run_id, toys.gated)
    with pytest.raises(UsageError, match="reviewers"):
        answer_request(store, result.run_id, "release_notes", {"text": "x"}, kind="input")


async def test_sub_workflow_runs_as_a_linked_child(store: Store) -> None:
    result = await Engine(store).run(toys.parent, {"seed": 2})
    assert result.status is RunStatus.SUCCEEDED
    child_id = f"{result.run_id}.child"
    child = store.get_run(child_id)
    assert child.parent_run_id == result.run_id and child.parent_step_id == "child"
    assert child.status is RunStatus.SUCCEEDED
    assert result.outputs == {"after": (20 + 1) * 2 + 20}
    assert [r.id for r in store.list_runs(parent_run_id=result.run_id)] == [child_id]


async def test_cancel_requested_from_outside_stops_running_steps(store: Store) -> None:
    async def forever(ctx: StepContext[BaseModel]) -> None:
        await asyncio.sleep(60)

    wf = Workflow("long", [Step("forever", forever)])
    engine = Engine(store)
    run = engine.create_run(wf, {})

    async def cancel_soon() -> None:
        await asyncio.sleep(0.3)
        store.request_cancel(run.id)

    canceller = asyncio.create_task(cancel_soon())
    result = await asyncio.wait_for(engine.execute(wf, run), timeout=10)
    await canceller
    assert result.status is RunStatus.CANCELLED
    stored = store.get_run(run.id)
    assert stored.status is RunStatus.CANCELLED and not stored.cancel_requested
    assert store.attempts(run.id) == []  # the cancelled step is not recorded: it runs again


async def test_sync_actions_run_in_threads_and_log(
    store: Store, recorder: Recorder, engine: Engine
) -> None:
    result = await engine.run(toys.many)
    assert result.status is RunStatus.SUCCEEDED
    logs = [e.message for e in recorder.events if e.kind.value == "step.log"]
    assert logs == ["slept in a thread"]


async def test_events_are_published_only_after_commit(store: Store) -> None:
    from devora.engine import EventBus

    missing: list[int] = []
    bus = EventBus()

    def check(event: object) -> None:
        seq = event.seq  # type: ignore[attr-defined]
        run_id = event.run_id  # type: ignore[attr-defined]
        if seq not in {e.seq for e in store.events(run_id)}:
            missing.append(seq)

    bus.subscribe(check)
    await Engine(store, bus=bus).run(toys.chain)
    assert missing == []


async def test_artifacts_are_written_and_recorded(store: Store) -> None:
    async def report(ctx: StepContext[BaseModel]) -> str:
        return str(ctx.add_artifact("report.md", "# hello\n"))

    result = await Engine(store).run(Workflow("art", [Step("report", report)]))
    [artifact] = store.artifacts(result.run_id)
    assert artifact.name == "report.md" and artifact.media_type == "text/markdown"
    assert Path(artifact.path).read_text() == "# hello\n" and artifact.size == 8


async def test_a_crash_during_rollback_resumes_the_rollback(store: Store, counter: Path) -> None:
    """The journal says: a, b done, explode failed, b compensated — then the process died."""
    run = Engine(store).create_run(toys.saga, {"fail": True})
    exploded = {"type": "x", "message": "exploded"}
    journal_then_die(
        store,
        run.id,
        [
            ("write_a", Phase.RUN, StepStatus.SUCCEEDED, "a", None),
            ("write_b", Phase.RUN, StepStatus.SUCCEEDED, "b", None),
            ("explode", Phase.RUN, StepStatus.FAILED, None, exploded),
            ("write_b", Phase.COMPENSATE, StepStatus.COMPENSATED, None, exploded),
        ],
    )
    result = await Engine(store).resume(run.id, toys.saga, force=True)
    assert result.status is RunStatus.ROLLED_BACK
    assert ran(counter) == ["undo_a"]


async def test_steps_record_summary_figures_on_the_run(store: Store) -> None:
    async def score(ctx: StepContext[BaseModel]) -> int:
        ctx.set_summary(score=87, passed=True)
        return 87

    result = await Engine(store).run(Workflow("scored", [Step("score", score)]))
    assert result.summary == {"score": 87, "passed": True}
    assert store.get_run(result.run_id).summary == {"score": 87, "passed": True}


async def test_a_step_reads_answers_filed_while_it_runs_and_the_runs_events(store: Store) -> None:
    from devora.store import AnswerRecord

    async def wait_for_ack(ctx: StepContext[BaseModel]) -> str:
        ctx.log("paged")
        kinds = [e.kind.value for e in await ctx.events()]
        assert "step.log" in kinds and kinds[0] == "run.created"
        assert ctx.answer("ack") is None
        store.add_answer(AnswerRecord(run_id=ctx.run_id, step_id="ack", payload={"by": "bob"}))
        fresh = await ctx.fresh_answer("ack")
        assert fresh is not None
        return str(fresh.payload["by"])

    result = await Engine(store).run(Workflow("acks", [Step("page", wait_for_ack)]))
    assert result.status is RunStatus.SUCCEEDED and result.outputs == {"page": "bob"}


async def test_a_large_file_becomes_an_artifact_without_being_read_whole(
    store: Store, tmp_path: Path
) -> None:
    import hashlib

    big = tmp_path / "backup.db"
    big.write_bytes(b"x" * (3 << 20))

    async def backup(ctx: StepContext[BaseModel]) -> str:
        return str(ctx.add_artifact("backup.db", big))

    result = await Engine(store).run(Workflow("copy", [Step("backup", backup)]))
    [artifact] = store.artifacts(result.run_id)
    assert artifact.size == 3 << 20
    assert artifact.sha256 == hashlib.sha256(big.read_bytes()).hexdigest()
    assert Path(artifact.path).read_bytes() == big.read_bytes()


async def test_an_approval_says_who_gave_it(store: Store) -> None:
    async def gated(ctx: StepContext[BaseModel]) -> str:
        approval = ctx.wait_for_approval("ship it?")
        return f"{approval.approved} by {approval.by}"

    wf = Workflow("approved", [Step("ship", gated)])
    first = await Engine(store).run(wf)
    answer_request(
        store, first.run_id, "ship", {"approved": True}, kind="approval", answered_by="ann"
    )
    done = await Engine(store).resume(first.run_id, wf)
    assert done.outputs == {"ship": "True by ann"}


async def test_a_bus_subscribed_to_after_it_is_handed_over_hears_the_run(store: Store) -> None:
    from devora.engine import EventBus

    bus = EventBus()
    engine = Engine(store, bus=bus)  # no subscriber yet: an empty bus is falsy
    heard: list[str] = []
    bus.subscribe(lambda event: heard.append(event.kind.value))
    await engine.run(toys.chain, {"seed": 1})
    assert engine.bus is bus and "run.finished" in heard
