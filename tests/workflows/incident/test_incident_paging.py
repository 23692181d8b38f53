"""Paging: every contact of the named squads, webhook or Slack, retried, failures reported."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from devora.config import load_config
from devora.notify import Notification
from devora.squads import effective_squads
from devora.workflows.incident import page_squads
from tests.notify.receiver import Receiver

PAGE = Notification(
    "incident.escalated",
    "r1",
    "incident-response",
    "SEV1",
    "escalate",
    None,
    "[SEV1 P1] incident on api: down",
    time.time(),
)


async def test_every_contact_of_the_named_squads_is_paged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DEVORA_CONFIG", raising=False)
    monkeypatch.delenv("PAGER_URL_UNSET", raising=False)
    with Receiver() as webhook, Receiver() as slack, Receiver([500, 500, 500]) as broken:
        (tmp_path / "devora.toml").write_text(
            f"""
[[squads.devops.contacts]]
name = "pager"
url = "{webhook.url}"
events = ["run.failed"]
[[squads.devops.contacts]]
name = "ops-slack"
kind = "slack"
url = "{slack.url}"
[[squads.backend.contacts]]
name = "flaky"
url = "{broken.url}"
[[squads.backend.contacts]]
name = "no-url"
url_env = "PAGER_URL_UNSET"
[[squads.qa.contacts]]
name = "not-paged"
url = "{webhook.url}"
""",
            encoding="utf-8",
        )
        squads = effective_squads(load_config(tmp_path))
        deliveries = await page_squads(squads, ["devops", "backend"], PAGE, backoff=0.01)
    outcome = {(d.squad, d.contact): (d.ok, d.error) for d in deliveries}
    assert outcome == {
        ("devops", "pager"): (True, None),  # its `events` list does not filter pages
        ("devops", "ops-slack"): (True, None),
        ("backend", "flaky"): (False, "HTTP 500"),
        ("backend", "no-url"): (False, "PAGER_URL_UNSET is not set"),
    }
    [body] = webhook.bodies  # qa was not paged
    assert body["event"] == "incident.escalated" and body["squad"] == "devops"
    assert body["status"] == "SEV1" and body["message"] == PAGE.message
    assert slack.bodies == [{"text": ":rotating_light: *Devora incident* " + PAGE.message}]
    assert len(broken.bodies) == 3  # retried
