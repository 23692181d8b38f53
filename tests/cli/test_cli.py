"""The `devora` command end to end: exit codes, output, and one clear error per bad input."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.harness import TOYS, Devora, assert_one_clear_error, json_lines, no_runs
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = f"{ROOT / 'examples' / 'publish_site.py'}:publish_site"


@pytest.fixture
def devora(tmp_path: Path) -> Devora:
    return Devora(home=tmp_path / ".devora", counter=tmp_path / "counter")


# -- the example ---------------------------------------------------------------------


def test_example_runs_publishes_and_succeeds(devora: Devora) -> None:
    out_dir = devora.home.parent / "site"
    result = devora("run", EXAMPLE, "-i", f"out_dir={out_dir}")
    assert result.returncode == 0, result.stderr
    assert "step.retry_scheduled render" in result.stdout  # one plain line per event
    assert "step.finished check_links [succeeded]" in result.stdout
    assert "succeeded" in result.stdout.splitlines()[-2] + result.stdout.splitlines()[-1]
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "getting-started.html",
        "index.html",
        "search.json",
        "semantics.html",
    ]


def test_example_dry_run_changes_nothing(devora: Devora) -> None:
    out_dir = devora.home.parent / "site"
    result = devora("run", EXAMPLE, "-i", f"out_dir={out_dir}", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "plan publish: would write 4 file(s)" in result.stdout
    assert not out_dir.exists()


def test_example_failure_rolls_back(devora: Devora) -> None:
    out_dir = devora.home.parent / "site"
    result = devora("run", EXAMPLE, "-i", f"out_dir={out_dir}", "-i", "break_verify=true")
    assert result.returncode == 1
    assert "rolled_back" in result.stdout and "compensation publish: compensated" in result.stdout
    assert not out_dir.exists()


def test_example_without_search_index_skips_it(devora: Devora) -> None:
    out_dir = devora.home.parent / "site"
    result = devora("run", EXAMPLE, "-i", f"out_dir={out_dir}", "-i", "with_search_index=no")
    assert result.returncode == 0, result.stderr
    assert "step.finished search_index [skipped]" in result.stdout
    assert not (out_dir / "search.json").exists()


# -- JSON output ---------------------------------------------------------------------------


def test_json_lines_end_with_run_finished(devora: Devora) -> None:
    result = devora("run", f"{TOYS}:chain", "-i", "seed=2", "--json")
    assert result.returncode == 0, result.stderr
    events = json_lines(result.stdout)
    assert events[0]["kind"] == "run.created"
    last = events[-1]
    assert last["kind"] == "run.finished"
    assert last["data"]["status"] == "succeeded"
    assert last["data"]["outputs"] == {"last": {"total": 62, "side": "side-2"}}
    assert {e["run_id"] for e in events} == {last["run_id"]}


def test_a_failed_runs_json_and_terminal_error_keep_their_form(devora: Devora) -> None:
    """run.finished's error object is the wire format (scripts, notifications): pinned."""
    hint = "`devora status RUN` and `devora logs RUN` show the step's log and error"
    failed = devora("run", f"{TOYS}:saga", "--json")
    assert failed.returncode == 1, failed.stderr
    error = json_lines(failed.stdout)[-1]["data"]["error"]
    assert list(error) == ["type", "message", "hint", "step"]
    assert error == {
        "type": "devora.errors.StepError",
        "message": "exploded on purpose",
        "hint": hint,
        "step": "explode",
    }
    shown = devora("run", f"{TOYS}:saga")
    assert shown.returncode == 1, shown.stderr
    assert f"  error step explode: exploded on purpose\n  hint: {hint}\n" in shown.stdout

    waiting = devora("run", f"{TOYS}:gated", "--json")
    run_id = json_lines(waiting.stdout)[-1]["run_id"]
    rejected = devora("reject", run_id, "deploy", "--comment", "not today")
    assert rejected.returncode == 1, rejected.stderr
    error = json_lines(devora("logs", run_id, "--json").stdout)[-1]["data"]["error"]
    assert list(error) == ["type", "message", "hint", "step"]
    assert error["type"] == "devora.errors.StepRejectedError" and error["step"] == "deploy"
    assert "was rejected by" in error["message"] and error["message"].endswith(": not today")


def test_waiting_run_exits_3_and_approve_from_another_process_continues(devora: Devora) -> None:
    waiting = devora("run", f"{TOYS}:gated", "--json")
    assert waiting.returncode == 3, waiting.stderr
    run_id = json_lines(waiting.stdout)[-1]["run_id"]
    assert json_lines(waiting.stdout)[-1]["data"]["status"] == "waiting"

    tasks = devora("tasks", "--json")
    assert [(t["run_id"], t["step_id"], t["kind"]) for t in json.loads(tasks.stdout)] == [
        (run_id, "deploy", "approval")
    ]
    approved = devora("approve", run_id, "deploy")
    assert approved.returncode == 3, approved.stderr  # now waits for the release notes
    assert "devora complete" in approved.stdout

    notes = devora.home.parent / "notes.yaml"
    notes.write_text("text: Better things\n")
    refused = devora("complete", run_id, "release_notes", "--output", str(notes))
    assert_one_clear_error(refused, "does not fit", "reviewers")

    notes.write_text("text: Better things\nreviewers: 2\n")
    completed = devora("complete", run_id, "release_notes", "--output", str(notes))
    assert completed.returncode == 0, completed.stderr
    status = json.loads(devora("status", run_id, "--json").stdout)
    assert status["status"] == "succeeded"
    assert status["outputs"] == {"release_notes": "Better things (2 reviewers)"}
    assert devora.ran() == ["prepare", "deploy", "release_notes"]


def test_status_runs_logs_show_list(devora: Devora) -> None:
    run = devora("run", f"{TOYS}:saga", "--json")
    assert run.returncode == 1
    run_id = json_lines(run.stdout)[-1]["run_id"]
    status = devora("status", run_id)
    assert status.returncode == 0
    assert "rolled_back" in status.stdout and "exploded on purpose" in status.stdout
    status_json = json.loads(devora("status", run_id, "--json").stdout)
    compensations = status_json["compensations"]
    assert {k: v["status"] for k, v in compensations.items()} == {
        "write_a": "compensated", "write_b": "compensated"
    }  # fmt: skip
    assert status_json["steps"]["explode"]["error"]["type"] == "devora.errors.StepError"

    runs = json.loads(devora("runs", "--json", "--workflow", "saga").stdout)
    assert [r["id"] for r in runs] == [run_id]
    logs = devora("logs", run_id[:12] if False else run_id)
    assert "compensation.finished write_b [compensated]" in logs.stdout
    assert json_lines(devora("logs", run_id, "--json").stdout)[-1]["kind"] == "run.finished"
    followed = devora("logs", run_id, "--follow")
    assert followed.returncode == 0 and "run.finished" in followed.stdout

    show = devora("show", f"{TOYS}:gated", "--json")
    described = json.loads(show.stdout)
    assert [s["id"] for s in described["steps"]] == ["prepare", "deploy", "release_notes"]
    assert described["levels"] == [["prepare"], ["deploy"], ["release_notes"]]
    assert devora("list").returncode == 0


def test_help_lists_the_commands(devora: Devora) -> None:
    result = devora("--help")
    assert result.returncode == 0
    for command in ("run", "resume", "cancel", "status", "logs", "runs", "show", "list"):
        assert command in result.stdout
    assert "Exit codes" in result.stdout


# -- bad input: one clear error, exit code != 0, nothing half-written -------------------------


def test_unknown_workflow(devora: Devora) -> None:
    assert_one_clear_error(devora("run", "no-such-workflow"), "unknown workflow 'no-such-workflow'")
    assert no_runs(devora)


def test_unknown_workflow_in_a_file(devora: Devora) -> None:
    result = devora("run", f"{TOYS}:nope")
    assert_one_clear_error(result, "defines no workflow named 'nope'", "chain")


def test_missing_file(devora: Devora) -> None:
    assert_one_clear_error(devora("run", "missing.py:flow"), "no file missing.py")


def test_missing_input(devora: Devora, tmp_path: Path) -> None:
    broken = tmp_path / "needs_input.py"
    broken.write_text(
        "from pydantic import BaseModel\n"
        "from devora.engine import Step, Workflow\n"
        "class I(BaseModel):\n    version: str\n"
        "async def a(ctx): return ctx.inputs.version\n"
        "flow = Workflow('needs-input', [Step('a', a)], inputs=I)\n"
    )
    assert_one_clear_error(devora("run", f"{broken}:flow"), "version: Field required")
    assert no_runs(devora)


def test_mistyped_input(devora: Devora) -> None:
    result = devora("run", f"{TOYS}:chain", "-i", "seed=lots")
    assert_one_clear_error(result, "seed: Input should be a valid integer")
    assert no_runs(devora)


def test_input_without_equals(devora: Devora) -> None:
    assert_one_clear_error(devora("run", f"{TOYS}:chain", "-i", "seed"), "expected NAME=VALUE")


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("inputs.json", '{"seed": 1,', "invalid JSON at line 1"),
        ("inputs.yaml", "seed: [1,\n", "invalid YAML at line"),
        ("inputs.yaml", "- 1\n- 2\n", "expected a mapping, found list"),
    ],
)
def test_malformed_inputs_file(
    devora: Devora, tmp_path: Path, name: str, content: str, fragment: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    assert_one_clear_error(devora("run", f"{TOYS}:chain", "--inputs", str(path)), fragment)
    assert no_runs(devora)


def test_inputs_file_that_does_not_exist(devora: Devora) -> None:
    result = devora("run", f"{TOYS}:chain", "--inputs", "nowhere.yaml")
    assert_one_clear_error(result, "nowhere.yaml: no such file")


def test_unknown_run_id(devora: Devora) -> None:
    for command in ("status", "resume", "cancel", "logs"):
        assert_one_clear_error(devora(command, "no-such-run"), "no run with id 'no-such-run'")


def test_resuming_a_finished_run(devora: Devora) -> None:
    run_id = json_lines(devora("run", f"{TOYS}:chain", "--json").stdout)[-1]["run_id"]
    assert_one_clear_error(devora("resume", run_id), f"run {run_id} is succeeded")


def test_unreachable_database(devora: Devora) -> None:
    devora.database_url = "postgresql://devora:secret@127.0.0.1:1/nowhere"
    result = devora("run", f"{TOYS}:chain")
    assert_one_clear_error(result, "cannot open the Devora store", "DEVORA_DATABASE_URL", code=5)
    assert "secret" not in result.stderr and "devora:***@" in result.stderr


@pytest.fixture
def read_only_home(devora: Devora) -> Iterator[Path]:
    """DEVORA_HOME as a directory nobody can write to, root included (chattr +i)."""
    devora.home.mkdir()
    devora.home.chmod(0o555)
    immutable = False
    if os.geteuid() == 0:
        made = subprocess.run(["chattr", "+i", str(devora.home)], capture_output=True, text=True)
        require(made.returncode == 0, f"chattr +i is not supported here: {made.stderr.strip()}")
        immutable = True
    try:
        yield devora.home
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(devora.home)], check=True)
        devora.home.chmod(0o755)


def test_read_only_store_directory(devora: Devora, read_only_home: Path) -> None:
    result = devora("run", f"{TOYS}:chain")
    assert_one_clear_error(result, "is not writable", code=5)
    assert list(read_only_home.iterdir()) == []


def test_inputs_as_options_and_flags(devora: Devora) -> None:
    result = devora("run", f"{TOYS}:chain", "--seed", "3", "--json")
    assert result.returncode == 0, result.stderr
    assert json_lines(result.stdout)[-1]["data"]["outputs"]["last"]["side"] == "side-3"
    out_dir = devora.home.parent / "site"
    flags = devora("run", EXAMPLE, f"--out-dir={out_dir}", "--no-with-search-index")
    assert flags.returncode == 0, flags.stderr
    assert not (out_dir / "search.json").exists() and (out_dir / "index.html").exists()


def test_unknown_option_and_extra_argument(devora: Devora) -> None:
    assert_one_clear_error(devora("run", f"{TOYS}:chain", "--sed", "3"), "unknown option --sed")
    assert_one_clear_error(devora("run", f"{TOYS}:chain", "extra"), "too many arguments")
    assert no_runs(devora)
