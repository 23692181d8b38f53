"""Answering a waiting step from this process: the run a user typed, as their OS account."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from devora.store import RunRecord, Store

__all__ = ["answer_as_os_account"]


def answer_as_os_account(
    store: Store,
    run_id: str,
    step: str,
    payload: dict[str, Any],
    *,
    kind: str,
    by: str | None = None,
) -> tuple[RunRecord, str]:
    """File an approval or input for `step` of the run `run_id` (or an unambiguous prefix)
    as the OS account running this process; return the run and who answered."""
    from devora.cli._lookup import find_run
    from devora.squads import os_account, record_answer

    run_record = find_run(store, run_id)
    who = record_answer(
        store, run_record.id, step, payload, kind=kind, account=os_account(), claimed=by
    )
    return run_record, who
