"""Answering a waiting step: who answers, whether they may, and the answer recorded.

One path for every interface: `devora approve|reject|complete`, `devora mcp` and the API
each name the account answering (the OS account, or the API token's owner) and call
`record_answer`.
"""

from __future__ import annotations

from typing import Any

from devora.engine import answer_request, pending_requests
from devora.squads._identity import (
    NotYouError,
    account_identity,
    ensure_may_approve,
    recorded_policy,
)
from devora.store import Store

__all__ = ["record_answer"]


def record_answer(
    store: Store,
    run_id: str,
    step: str,
    payload: dict[str, Any],
    *,
    kind: str,
    account: str,
    claimed: str | None = None,
) -> str:
    """File an approval or input for `step` as `account`; return the answerer's name.

    The name is `account` mapped through the run's recorded [approvers] table; `claimed`
    (the CLI's --by) is accepted only when it names that same person. An approver is
    checked against the policy recorded when the run started, an input against the
    step's schema; nothing is recorded when a check fails.
    """
    policy = recorded_policy(store, run_id)
    who = account_identity(policy, account)
    if claimed is not None and claimed not in (who, account):
        raise NotYouError(claimed, who)
    if kind == "approval":
        waiting = {p.step_id: p for p in pending_requests(store, run_id)}
        if step in waiting:
            ensure_may_approve(policy, waiting[step].request.squad, who)
    answer_request(store, run_id, step, payload, kind=kind, answered_by=who)
    return who
