"""Squads' contacts get the events they subscribe to; a dead endpoint never blocks a run."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from devora.config import ContactConfig
from devora.notify import Notifier
from devora.squads import SQUAD_CATALOG
from devora.store import Event, EventKind
from tests.cli.harness import TOYS, Devora
from tests.notify.receiver import Receiver


def config(tmp_path: Path, *contacts: str) -> None:
    text = "".join(f"[[squads.devops.contacts]]\n{c}\n" for c in contacts)
    (tmp_path / "devora.toml").write_text(text)


@pytest.fixture
def devora(tmp_path: Path) -> Devora:
    return Devora(home=tmp_path / ".devora")


def test_a_failed_run_notifies_webhook_and_slack(devora: Devora, tmp_path: Path) -> None:
    with Receiver([500]) as hook, Receiver() as slack:
        config(
            tmp_path,
            'name = "ops-hook"\nurl_env = "OPS_HOOK"',
            'name = "ops-slack"\nkind = "slack"\nurl_env = "OPS_SLACK"',
        )
        result = devora("run", f"{TOYS}:saga", OPS_HOOK=hook.url, OPS_SLACK=slack.url)
        assert result.returncode == 1
        # the 500 was retried: the hook got the same notification twice
        assert [b["event"] for b in hook.bodies] == ["run.failed", "run.failed"]
        body = hook.bodies[-1]
        assert body["workflow"] == "saga" and body["status"] == "rolled_back"
        assert body["step"] == "explode" and "exploded on purpose" in body["message"]
        assert len(slack.bodies) == 1 and "rolled_back" in slack.bodies[0]["text"]


def test_approval_needed_goes_to_the_gate_squad(devora: Devora, tmp_path: Path) -> None:
    with Receiver() as hook:
        config(tmp_path, f'url = "{hook.url}"\nevents = ["approval.needed"]')
        result = devora("run", f"{TOYS}:gated")
        assert result.returncode == 3
        [body] = hook.bodies
        assert body["event"] == "approval.needed" and body["squad"] == "devops"
        assert f"devora approve {body['run_id']} deploy" in body["message"]


def test_a_dead_endpoint_never_blocks_or_fails_the_run(devora: Devora, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/hook"
    started = time.monotonic()
    assert devora("run", f"{TOYS}:chain").returncode == 0  # the same run, nothing to send
    quiet = time.monotonic() - started
    config(tmp_path, f'url = "{dead}"\nevents = ["run.succeeded", "run.failed"]')
    started = time.monotonic()
    result = devora("run", f"{TOYS}:chain")
    assert result.returncode == 0, result.stderr
    # A relation, not a clock: a loaded machine slows both runs alike.
    assert time.monotonic() - started < 2 * quiet + 5
    assert "Traceback" not in result.stderr


def test_unset_url_variable_drops_the_notification_quietly() -> None:
    devops = next(s for s in SQUAD_CATALOG if s.name == "devops")
    squad = devops.model_copy(update={"contacts": (ContactConfig(url_env="NOT_SET_ANYWHERE"),)})
    notifier = Notifier([squad], backoff=0)
    notifier(Event(run_id="r", seq=1, kind=EventKind.RUN_CREATED, data={"workflow": "w"}))
    notifier(
        Event(
            run_id="r",
            seq=2,
            kind=EventKind.RUN_FINISHED,
            data={"status": "failed", "error": {"message": "x"}},
        )
    )
    notifier.close()
    [delivery] = notifier.deliveries
    assert not delivery.ok and delivery.error == "NOT_SET_ANYWHERE is not set"


def test_unknown_event_name_in_config_is_refused(devora: Devora, tmp_path: Path) -> None:
    config(tmp_path, 'url = "http://127.0.0.1:9/x"\nevents = ["run.exploded"]')
    result = devora("run", f"{TOYS}:chain")
    assert result.returncode == 2 and "unknown events ['run.exploded']" in result.stderr
