"""Any body, signed or not, through the real app: never a 5xx, and a JSON error or answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devora.config import load_config
from devora.server import create_app
from devora.webhooks import github_signature

SECRET = "fuzz-secret-0123456789"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
labels = st.dictionaries(
    st.sampled_from(["service", "severity", "alertname"]),
    st.text(max_size=10) | st.integers(),
    max_size=3,
)
annotations = st.dictionaries(st.just("summary"), st.text(max_size=30), max_size=1)
alert_like = st.fixed_dictionaries(
    {"alerts": st.lists(
        st.fixed_dictionaries(
            {"status": st.sampled_from(["firing", "resolved", "odd"])},
            optional={
                "labels": labels,
                "annotations": annotations,
                "startsAt": st.text(max_size=30) | st.none(),
                "fingerprint": st.text(max_size=20) | st.none(),
            },
        ),
        max_size=3,
    )}
)  # fmt: skip
push_like = st.fixed_dictionaries(
    {},
    optional={
        "ref": st.text(max_size=10) | st.integers(),
        "before": st.sampled_from(["0" * 40, "a" * 40, "xyz"]),
        "after": st.sampled_from(["0" * 40, "b" * 40, ""]),
        "deleted": st.booleans(),
        "repository": st.fixed_dictionaries(
            {"full_name": st.sampled_from(["o/r", "bad name"])},
            optional={"clone_url": st.just("/nonexistent/repo")},
        ),
    },
)
bodies = (
    st.binary(max_size=200)
    | json_values.map(lambda v: json.dumps(v).encode())
    | alert_like.map(lambda v: json.dumps(v).encode())
    | push_like.map(lambda v: json.dumps(v).encode())
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root: Path = tmp_path_factory.mktemp("fuzz")
    (root / "devora.toml").write_text(
        '[incident.services.api]\nhealth_url = "http://127.0.0.1:9/"\n'
        '[[incident.services.api.runbook]]\nname = "x"\nargv = ["true"]\n'
    )
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("DEVORA_API_TOKEN", "api-token-0123456789abcdef")
    for name in ("ALERTMANAGER_SECRET", "GRAFANA_SECRET", "GITHUB_WEBHOOK_SECRET"):
        monkeypatch.setenv(f"DEVORA_{name}", SECRET)
    monkeypatch.chdir(root)
    app = create_app(home=root / ".devora", config=load_config(root))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    monkeypatch.undo()


def _check(answer: Any) -> None:
    assert answer.status_code < 500, answer.text
    assert answer.status_code in (200, 202, 400, 401, 404, 409, 422), answer.text
    body = answer.json()
    assert ("outcomes" in body) or ({"error", "hint"} <= set(body))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies, path=st.sampled_from(["alertmanager", "grafana"]), signed=st.booleans())
def test_alert_bodies_never_make_a_5xx(
    client: TestClient, body: bytes, path: str, signed: bool
) -> None:
    headers = {"Authorization": f"Bearer {SECRET if signed else 'nope'}"}
    _check(client.post(f"/hooks/{path}", content=body, headers=headers))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=bodies,
    event=st.sampled_from(["push", "pull_request", "ping", "issues", ""]) | st.text(max_size=10),
    delivery=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=400),
    signed=st.booleans(),
)
def test_github_bodies_never_make_a_5xx(
    client: TestClient, body: bytes, event: str, delivery: str, signed: bool
) -> None:
    headers = {
        "X-GitHub-Event": event.encode("ascii", "ignore").decode(),
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": github_signature(SECRET if signed else "nope", body),
    }
    _check(client.post("/hooks/github", content=body, headers=headers))
