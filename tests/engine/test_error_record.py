"""Typed error records: built from exceptions, journaled as JSON, read back (also old ones)."""

from __future__ import annotations

from pathlib import Path

import pytest

from devora.engine import Engine, ErrorRecord, EventKind, RunStatus, StepStatus
from devora.errors import RunCancelledError, StepError
from devora.store import Phase, Store
from tests.engine import toy_workflows as toys
from tests.engine.conftest import journal_then_die


@pytest.fixture(autouse=True)
def counter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "counter"
    monkeypatch.setenv("TOY_COUNTER", str(path))
    return path


def _raised(exc: BaseException) -> BaseException:
    try:
        raise exc
    except BaseException as caught:
        return caught


def test_a_record_names_the_class_and_keeps_message_hint_and_traceback() -> None:
    record = ErrorRecord.from_exception(_raised(StepError("disk full", hint="free some space")))
    assert record.type == "devora.errors.StepError"
    assert (record.message, record.hint, record.step) == ("disk full", "free some space", None)
    assert record.traceback.startswith("Traceback") and "StepError: disk full" in record.traceback

    plain = ErrorRecord.from_exception(_raised(KeyError()))
    assert (plain.type, plain.message, plain.hint) == ("builtins.KeyError", "KeyError", None)


def test_the_journal_form_round_trips_and_events_carry_no_traceback() -> None:
    record = ErrorRecord.from_exception(_raised(RunCancelledError("cancel requested")))
    located = record.prefixed("while deploying").at_step("deploy")
    assert located.message == f"while deploying: {record.message}"
    journaled = located.to_json()
    assert list(journaled) == ["type", "message", "traceback", "hint", "step"]
    assert ErrorRecord.from_json(journaled) == located
    assert located.event_json() == {
        "type": "devora.errors.RunCancelledError",
        "message": located.message,
        "hint": record.hint,
        "step": "deploy",
    }
    bare = ErrorRecord(type="builtins.ValueError", message="bad")
    assert bare.event_json() == {"type": "builtins.ValueError", "message": "bad"}


def test_errors_journaled_in_older_forms_still_load() -> None:
    # Before typed records: a cancelled run had no traceback, a rejection an invented type.
    cancelled = ErrorRecord.from_json({"type": "devora.Cancelled", "message": "cancel requested"})
    assert cancelled == ErrorRecord(type="devora.Cancelled", message="cancel requested")
    rejected = ErrorRecord.from_json(
        {"type": "devora.Rejected", "message": "step 'deploy' was rejected", "traceback": ""}
    )
    assert (rejected.message, rejected.hint, rejected.step) == (
        "step 'deploy' was rejected",
        None,
        None,
    )


async def test_a_run_journaled_before_typed_records_resumes_and_shows_its_error(
    store: Store, counter: Path
) -> None:
    """The old process journaled write_a, write_b and the failure of explode, then died."""
    old_error = {
        "type": "devora.errors.StepError",
        "message": "exploded on purpose",
        "traceback": "Traceback (most recent call last):\nStepError: exploded on purpose\n",
        "hint": "`devora status RUN` and `devora logs RUN` show the step's log and error",
    }
    run = Engine(store).create_run(toys.saga, {"fail": True})
    journal_then_die(
        store,
        run.id,
        [
            ("write_a", Phase.RUN, StepStatus.SUCCEEDED, "a", None),
            ("write_b", Phase.RUN, StepStatus.SUCCEEDED, "b", None),
            ("explode", Phase.RUN, StepStatus.FAILED, None, old_error),
        ],
    )

    result = await Engine(store).resume(run.id, toys.saga, force=True)

    assert result.status is RunStatus.ROLLED_BACK
    assert counter.read_text().split() == ["undo_b", "undo_a"]
    assert result.error == ErrorRecord.from_json(old_error).at_step("explode")
    assert result.steps["explode"].error == ErrorRecord.from_json(old_error)
    assert store.get_run(run.id).error == {**old_error, "step": "explode"}
    [finished] = store.events(run.id, kinds=[EventKind.RUN_FINISHED])
    assert finished.data["error"] == {
        "type": old_error["type"],
        "message": old_error["message"],
        "hint": old_error["hint"],
        "step": "explode",
    }
