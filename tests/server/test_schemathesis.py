"""Schemathesis against /openapi.json of a live server: no request gets a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.server.conftest import LiveServer, launch

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = launch(Path(tmp_path_factory.mktemp("schemathesis")) / ".devora")
    client = server.client(timeout=300)
    assert client.get("/api/workflows").status_code == 200  # imports every workflow once
    # Some recorded runs, so generated ids may also meet real ones.
    client.post("/api/runs", json={"workflow": "chain", "inputs": {"seed": 3}})
    client.post("/api/runs", json={"workflow": "gated"})
    yield server
    server.stop()


def test_no_route_answers_a_5xx(live: LiveServer) -> None:
    schema = schemathesis.openapi.from_url(live.base_url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            if case.path.endswith("/events"):
                case.query = {**(case.query or {}), "follow": "false"}  # a stream that ends
            case.call_and_validate(headers=live.headers, checks=[not_a_server_error])

        check()
