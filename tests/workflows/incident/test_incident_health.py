"""Health checks against the real app: N healthy answers in a row, or a clear timeout."""

from __future__ import annotations

import asyncio
import time

import pytest
from incident_service import HealthApp, closed_port_url

from devora.workflows.incident import HealthCheck, HealthCheckTimeoutError, wait_until_healthy


async def test_it_waits_for_n_healthy_answers_in_a_row(app: HealthApp) -> None:
    seen: list[HealthCheck] = []

    async def mend_later() -> None:
        await asyncio.sleep(0.35)
        app.marker.touch()

    mending = asyncio.create_task(mend_later())
    checks = await wait_until_healthy(
        app.url, needed=3, interval=0.1, within=10, request_timeout=1, on_check=seen.append
    )
    await mending
    assert checks == seen
    assert [check.status for check in checks[-3:]] == [200, 200, 200]
    assert checks[0].status == 503 and not checks[0].healthy


async def test_an_unreachable_url_times_out_with_the_last_error() -> None:
    url = closed_port_url()
    started = time.monotonic()
    with pytest.raises(HealthCheckTimeoutError) as raised:
        await wait_until_healthy(url, needed=2, interval=0.1, within=0.8, request_timeout=0.5)
    assert time.monotonic() - started < 3
    error = raised.value
    assert error.url == url and error.checks >= 2 and error.last == "ConnectError"
    assert "within 0.8s" in error.message and error.hint is not None


async def test_a_service_that_stays_unhealthy_times_out(app: HealthApp) -> None:
    # the final check may be cut short by the deadline on a busy machine: the last answer
    # is still named
    with pytest.raises(HealthCheckTimeoutError, match=r"last(?: answer)?: HTTP 503"):
        await wait_until_healthy(app.url, needed=1, interval=0.1, within=1.0, request_timeout=0.5)


async def test_a_service_that_stops_answering_is_named_with_its_last_answer() -> None:
    answered: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        if answered:  # after the first answer: silence until the client gives up
            await reader.read()
        else:
            answered.append(503)
            writer.write(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n")
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        with pytest.raises(HealthCheckTimeoutError) as raised:
            await wait_until_healthy(
                f"http://127.0.0.1:{port}/health",
                needed=1,
                interval=0.05,
                within=1.0,
                request_timeout=0.3,
            )
    assert answered == [503]
    assert raised.value.last.endswith("; last answer: HTTP 503"), raised.value.last
    assert raised.value.last.startswith("no answer within"), raised.value.last
