"""Answering a waiting step as the person running this process: who, may they, record it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from devora.store import RunRecord, Store

__all__ = ["record_answer"]


def record_answer(
    store: Store,
    run_id: str,
    step: str,
    payload: dict[str, Any],
    *,
    kind: str,
    by: str | None = None,
) -> tuple[RunRecord, str]:
    """File an approval or input for `step` as the OS account; return the run and who answered.

    The approver is checked against the policy recorded when the run started; an input is
    checked against the step's schema. Nothing is recorded when a check fails.
    """
    from devora.cli._lookup import find_run
    from devora.engine import answer_request, pending_requests
    from devora.squads import cli_identity, ensure_may_approve, recorded_policy

    run_record = find_run(store, run_id)
    policy = recorded_policy(store, run_record.id)
    who = cli_identity(policy, by)
    if kind == "approval":
        waiting = {p.step_id: p for p in pending_requests(store, run_record.id)}
        if step in waiting:
            ensure_may_approve(policy, waiting[step].request.squad, who)
    answer_request(store, run_record.id, step, payload, kind=kind, answered_by=who)
    return run_record, who
