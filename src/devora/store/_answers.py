"""What a run receives from outside and what it leaves behind: answers and artifacts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from devora.store import _tables as tables
from devora.store._journal import JournalStore
from devora.store._records import AnswerRecord, ArtifactRecord, Event, JournalBatch
from devora.store._rows import dumps, insert_sql, loads
from devora.store._text import safe_text

__all__ = ["AnswerStore", "answer_from_row"]


class AnswerStore(JournalStore):
    """The store's answers to suspended steps, and the artifacts runs produced."""

    def add_answer(self, answer: AnswerRecord, event: Event | None = None) -> None:
        """Record an outside answer for a suspended step (replacing an earlier one)."""
        row = {
            "run_id": answer.run_id,
            "step_id": answer.step_id,
            "payload": dumps(answer.payload),
            "answered_by": safe_text(answer.answered_by),
            "answered_at": answer.answered_at,
        }
        with self.transaction() as sql:
            sql.execute(
                f"DELETE FROM {tables.ANSWERS} WHERE run_id = :run_id AND step_id = :step_id", row
            )
            sql.execute(insert_sql(tables.ANSWERS, tuple(row)), row)
            if event is not None:
                self._write_within(sql, JournalBatch(events=[event]))

    def answers(self, run_id: str) -> dict[str, AnswerRecord]:
        """The answers given to the run's suspended steps, by step id."""
        with self.transaction(read_only=True) as sql:
            rows = sql.rows(
                f"SELECT * FROM {tables.ANSWERS} WHERE run_id = :run_id", {"run_id": run_id}
            )
        return {row["step_id"]: answer_from_row(row) for row in rows}

    def artifacts(self, run_id: str) -> list[ArtifactRecord]:
        """The artifacts a run produced."""
        with self.transaction(read_only=True) as sql:
            rows = sql.rows(
                f"SELECT * FROM {tables.ARTIFACTS} WHERE run_id = :run_id ORDER BY created_at",
                {"run_id": run_id},
            )
        return [ArtifactRecord.model_validate(row) for row in rows]

    def artifact_dir(self, run_id: str) -> Path:
        """The directory for this run's artifact files (created on demand)."""
        return self.location.artifacts_dir / run_id


def answer_from_row(row: dict[str, Any]) -> AnswerRecord:
    """The answer a row of the answers table holds."""
    return AnswerRecord(
        run_id=row["run_id"],
        step_id=row["step_id"],
        payload=loads(row["payload"]),
        answered_by=row["answered_by"],
        answered_at=row["answered_at"],
    )
