"""Past audits of the same target, read back from Devora's store (their JSON artifact)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from devora.engine import StepContext
from devora.store import Store

__all__ = ["AUDIT_ARTIFACT", "PastAudit", "past_audits", "run_store"]

AUDIT_ARTIFACT = "performance-audit.json"
WORKFLOW_NAME = "performance-audit"
HISTORY_LIMIT = 30


class PastAudit(BaseModel):
    """The metrics one earlier audit of the target settled on (its verified medians)."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    created_at: float
    target: str
    metrics: dict[str, float]


def run_store(ctx: StepContext[Any]) -> Store:
    """The store this run is journaled in."""
    return ctx.store


def past_audits(store: Store, target: str, *, exclude: str) -> list[PastAudit]:
    """Earlier audits of `target`, oldest first (at most HISTORY_LIMIT)."""
    found = []
    for run in store.list_runs(workflow=WORKFLOW_NAME, limit=HISTORY_LIMIT * 3):
        if run.id == exclude or run.dry_run:
            continue
        for artifact in store.artifacts(run.id):
            if artifact.name != AUDIT_ARTIFACT:
                continue
            try:
                data = json.loads(Path(artifact.path).read_text(encoding="utf-8"))
                audit = PastAudit.model_validate(
                    {**data, "run_id": run.id, "created_at": run.created_at}
                )
            except (OSError, ValueError, TypeError, ValidationError):
                continue  # a removed or foreign file is not history
            if audit.target == target:
                found.append(audit)
        if len(found) >= HISTORY_LIMIT:
            break
    return sorted(found, key=lambda audit: audit.created_at)
