"""Webhooks in, through the real app: signatures, alerts -> incidents, one run per delivery."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from devora.config import load_config
from devora.server import create_app
from devora.store import open_store
from devora.webhooks import WebhookSignatureError, github_signature, verify_bearer, verify_github

ALERT_SECRET = "am-secret-0123456789"
GRAFANA_SECRET = "gf-secret-0123456789"
GITHUB_SECRET = "gh-secret-0123456789"

CONFIG = """
[incident.services.api]
health_url = "http://127.0.0.1:9/health"
health_timeout = 1
[[incident.services.api.runbook]]
name = "look"
argv = ["true"]

[webhooks.alertmanager]
severities = { critical = "SEV1", warning = "SEV3" }

[webhooks.grafana]
service_label = "app"
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "devora.toml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    for name in list(__import__("os").environ):
        if name.startswith("DEVORA_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DEVORA_API_TOKEN", "api-token-0123456789abcdef")
    monkeypatch.setenv("DEVORA_ALERTMANAGER_SECRET", ALERT_SECRET)
    monkeypatch.setenv("DEVORA_GRAFANA_SECRET", GRAFANA_SECRET)
    monkeypatch.setenv("DEVORA_GITHUB_WEBHOOK_SECRET", GITHUB_SECRET)
    return tmp_path


@pytest.fixture
def client(project: Path) -> Iterator[TestClient]:
    app = create_app(home=project / ".devora", config=load_config(project))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def alert(status: str = "firing", **labels: str) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {"alertname": "HighErrorRate", "service": "api", **labels},
        "annotations": {"summary": "API answers 503"},
        "startsAt": "2026-01-02T03:04:05Z",
        "fingerprint": "c0ffee",
    }


def notification(*alerts: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "4",
        "status": alerts[0]["status"],
        "receiver": "devora",
        "alerts": list(alerts),
    }


def post_alerts(
    client: TestClient, body: Any, *, secret: str = ALERT_SECRET, path: str = "alertmanager"
) -> Any:
    return client.post(
        f"/hooks/{path}",
        content=json.dumps(body),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )


def runs_of(project: Path, workflow: str) -> list[Any]:
    with open_store(home=project / ".devora") as store:
        return store.list_runs(workflow=workflow, limit=100)


# -- signatures --------------------------------------------------------------------------


def test_github_signatures_are_checked_in_constant_time_against_the_body() -> None:
    body = b'{"zen": "Keep it logically awesome."}'
    good = github_signature("s3cret", body)
    assert good.startswith("sha256=") and len(good) == 71
    verify_github("s3cret", "VAR", body, good)
    for bad in (None, "", good[:-1] + "0", github_signature("other", body), "sha1=abc"):
        with pytest.raises(WebhookSignatureError):
            verify_github("s3cret", "VAR", body, bad)
    with pytest.raises(WebhookSignatureError, match="no secret"):
        verify_github(None, "VAR", body, good)


def test_a_shared_secret_is_a_bearer_token() -> None:
    verify_bearer("grafana", "abc", "VAR", {"authorization": "Bearer abc"})
    verify_bearer("grafana", "abc", "VAR", {"authorization": "bearer  abc "})
    for headers in ({}, {"authorization": "Bearer abd"}, {"authorization": "Basic abc"}):
        with pytest.raises(WebhookSignatureError) as caught:
            verify_bearer("grafana", "abc", "VAR", headers)
        assert "$VAR" in caught.value.hint


# -- alerts --------------------------------------------------------------------------------


def test_a_firing_alert_starts_one_incident_and_a_resolved_one_adds_a_note(
    client: TestClient, project: Path
) -> None:
    first = post_alerts(client, notification(alert(severity="critical")))
    assert first.status_code == 202, first.text
    [started] = first.json()["outcomes"]
    assert started["action"] == "started"
    [run] = runs_of(project, "incident-response")
    assert run.id == started["run_id"]
    assert run.inputs["service"] == "api"
    assert run.inputs["summary"] == "API answers 503"
    assert run.inputs["severity"] == "SEV1"
    assert run.inputs["started_at"].startswith("2026-01-02T03:04:05")

    again = post_alerts(client, notification(alert(severity="critical")))  # repeat_interval
    assert again.status_code == 200
    assert again.json()["outcomes"] == [
        {"action": "duplicate", "key": "c0ffee@2026-01-02T03:04:05Z", "run_id": run.id,
         "reason": None, "hint": None}
    ]  # fmt: skip
    assert len(runs_of(project, "incident-response")) == 1

    resolved = post_alerts(client, notification(alert("resolved", severity="critical")))
    assert resolved.status_code == 202
    assert resolved.json()["outcomes"][0]["action"] == "noted"
    assert (
        post_alerts(client, notification(alert("resolved"))).json()["outcomes"][0]["action"]
        == "duplicate"
    )
    from devora.workflows.incident import incident_notes

    with open_store(home=project / ".devora") as store:
        notes = incident_notes(store.answers(run.id))
    assert [n.text for n in notes] == [
        "alertmanager: HighErrorRate resolved (c0ffee@2026-01-02T03:04:05Z)"
    ]
    assert [n.by for n in notes] == ["alertmanager"]


def test_grafana_alerts_map_their_own_labels(client: TestClient, project: Path) -> None:
    grafana_alert = alert(app="api", severity="Warning")
    grafana_alert["labels"].pop("service")
    answer = post_alerts(
        client,
        {"receiver": "devora", "status": "firing", "orgId": 1, "alerts": [grafana_alert],
         "title": "[FIRING:1]", "message": "..."},
        secret=GRAFANA_SECRET,
        path="grafana",
    )  # fmt: skip
    assert answer.status_code == 202, answer.text
    [run] = runs_of(project, "incident-response")
    assert (run.inputs["service"], run.inputs["severity"]) == ("api", "SEV3")


def test_alerts_without_a_service_or_a_runbook_start_nothing_and_say_why(
    client: TestClient, project: Path
) -> None:
    no_service = alert()
    no_service["labels"].pop("service")
    no_runbook = {**alert(service="billing"), "fingerprint": "beef"}
    answer = post_alerts(client, notification(no_service, no_runbook))
    assert answer.status_code == 202
    ignored, refused = answer.json()["outcomes"]
    assert ignored["action"] == "ignored" and "'service' label" in ignored["reason"]
    assert refused["action"] == "refused" and "billing" in refused["reason"]
    assert runs_of(project, "incident-response") == []


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({"Authorization": "Bearer wrong"}, b'{"alerts": []}', 401),
        ({}, b'{"alerts": []}', 401),
        ({"Authorization": f"Bearer {ALERT_SECRET}"}, b"{not json", 400),
        ({"Authorization": f"Bearer {ALERT_SECRET}"}, b"[1, 2]", 400),
        ({"Authorization": f"Bearer {ALERT_SECRET}"}, b'{"alerts": [{"status": "odd"}]}', 400),
        ({"Authorization": f"Bearer {ALERT_SECRET}"}, b'{"alerts": "none"}', 400),
        ({"Authorization": f"Bearer {ALERT_SECRET}"}, b"\xff\xfe", 400),
        ({"Authorization": f"Bearer {ALERT_SECRET}"}, b"[" * 100_000, 400),
    ],
)
def test_bad_requests_get_their_status_and_a_json_error(
    client: TestClient, project: Path, headers: dict[str, str], body: bytes, status: int
) -> None:
    answer = client.post("/hooks/alertmanager", content=body, headers=headers)
    assert answer.status_code == status
    assert set(answer.json()) >= {"error", "hint"}
    assert runs_of(project, "incident-response") == []


def test_a_sender_without_a_configured_secret_is_refused(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DEVORA_GRAFANA_SECRET")
    answer = post_alerts(client, notification(alert()), secret="", path="grafana")
    assert answer.status_code == 401
    assert "DEVORA_GRAFANA_SECRET" in answer.json()["hint"]


# -- GitHub events that start nothing --------------------------------------------------


def post_github(
    client: TestClient, event: str, body: bytes, delivery: str = "d-1", secret: str = GITHUB_SECRET
) -> Any:
    return client.post(
        "/hooks/github",
        content=body,
        headers={
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": github_signature(secret, body),
        },
    )


def test_github_unknown_events_are_ignored_and_bad_ones_refused(
    client: TestClient, project: Path
) -> None:
    assert post_github(client, "ping", b'{"zen": "hi"}').status_code == 202
    issues = post_github(client, "issues", b'{"action": "opened"}')
    assert issues.status_code == 202
    assert issues.json()["outcomes"][0]["action"] == "ignored"
    closed = {
        "action": "closed", "number": 3,
        "pull_request": {"head": {"sha": "a" * 40}, "base": {"sha": "b" * 40}},
        "repository": {"full_name": "o/r", "clone_url": "https://example.invalid/o/r.git"},
    }  # fmt: skip
    assert post_github(client, "pull_request", json.dumps(closed).encode()).status_code == 202
    assert post_github(client, "push", b'{"ref": 1}').status_code == 400
    assert post_github(client, "push", b"{}", secret="wrong").status_code == 401
    assert runs_of(project, "commit-gate") == []
