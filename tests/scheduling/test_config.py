"""`[schedules.NAME]` tables: read, checked, and one clear error for each bad one."""

from __future__ import annotations

from typing import Any

import pytest

from devora.config import DevoraConfig
from devora.scheduling import ScheduleConfigError, check_schedules, load_schedules
from tests.cli.harness import TOYS


def _config(schedules: Any) -> DevoraConfig:
    return DevoraConfig.model_validate({"schedules": schedules})


def test_schedules_are_read_with_their_defaults() -> None:
    schedules = load_schedules(
        _config(
            {
                "nightly": {"workflow": "quality-gate", "cron": " 0 3 * * * "},
                "audit": {
                    "workflow": f"{TOYS}:chain",
                    "cron": "*/10 * * * * *",
                    "inputs": {"seed": 4},
                    "missed": "skip",
                },
            }
        )
    )
    assert schedules["nightly"].cron == "0 3 * * *"
    assert schedules["nightly"].missed == "run_once"
    assert schedules["nightly"].inputs == {}
    assert schedules["audit"].missed == "skip"
    assert load_schedules(DevoraConfig()) == {}


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"workflow": "x", "cron": "every day"}, "not a cron expression"),
        ({"workflow": "x", "cron": "0 3 * *"}, "not a cron expression"),
        ({"workflow": "x", "cron": "0 3 30 2 *"}, "never fires"),
        ({"workflow": "x", "cron": "0 3 * * *", "missed": "twice"}, "missed"),
        ({"workflow": "x", "cron": "0 3 * * *", "when": "now"}, "when"),
        ({"cron": "0 3 * * *"}, "workflow"),
        ({"workflow": "x", "cron": "0 3 * * *", "inputs": [1]}, "inputs"),
        ("0 3 * * *", "must be a table"),
    ],
)
def test_a_bad_schedule_is_one_error_naming_it(table: Any, fragment: str) -> None:
    with pytest.raises(ScheduleConfigError) as caught:
        load_schedules(_config({"nightly": table}))
    assert "schedule 'nightly'" in caught.value.message
    assert fragment in caught.value.message
    assert "[schedules.nightly]" in caught.value.hint
    assert caught.value.exit_code == 2


def test_schedules_must_be_a_table_of_tables() -> None:
    with pytest.raises(ScheduleConfigError):
        load_schedules(_config(["nightly"]))


def test_an_unknown_workflow_or_a_bad_input_is_found_before_any_tick() -> None:
    good = {"workflow": f"{TOYS}:chain", "cron": "0 3 * * *", "inputs": {"seed": 2}}
    assert list(check_schedules(load_schedules(_config({"ok": good})))) == ["ok"]
    with pytest.raises(ScheduleConfigError, match=r"schedule 'bad'.*no-such-workflow"):
        check_schedules(
            load_schedules(_config({"bad": {"workflow": "no-such-workflow", "cron": "0 3 * * *"}}))
        )
    with pytest.raises(ScheduleConfigError, match=r"schedule 'bad'.*seed"):
        check_schedules(load_schedules(_config({"bad": {**good, "inputs": {"seed": "many"}}})))
