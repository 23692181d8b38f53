"""The dashboard's parts without a browser: charts, artifact previews, tickets, headers."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from devora.server._artifact_view import preview_artifact
from devora.server._charts import chart_series, render_svg
from devora.store import RunRecord, RunStatus
from tests.server.conftest import LiveServer, wait_for_status


def _run(
    n: int, score: object, *, path: str = "app", status: RunStatus = RunStatus.SUCCEEDED
) -> RunRecord:
    return RunRecord(
        id=f"r{n}",
        workflow="quality-gate",
        workflow_ref="quality-gate",
        status=status,
        inputs={"path": path},
        created_at=1000.0 + n,
        updated_at=1000.0 + n,
        finished_at=1000.0 + n,
        summary={"score": score, "passed": True, "llm_calls": 3},
    )


def test_series_per_project_and_figure_oldest_first() -> None:
    runs = [
        _run(2, 80),
        _run(1, 70),
        _run(3, 90, path="other"),
        _run(4, "n/a"),
        _run(5, 99, status=RunStatus.RUNNING),
    ]
    series = chart_series(runs)
    assert [(s.project, s.figure, [p[1] for p in s.points]) for s in series] == [
        ("app", "score", [70.0, 80.0]),
        ("other", "score", [90.0]),
    ]  # booleans, text, usage counters and unfinished runs are not figures


def test_svg_escapes_what_it_shows() -> None:
    (series,) = chart_series(
        [_run(1, 70, path="<script>x</script>"), _run(2, 75.5, path="<script>x</script>")]
    )
    svg = render_svg(series)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count("<circle") == 2 and "75.50" in svg


def test_markdown_is_rendered_with_raw_html_escaped(tmp_path: Path) -> None:
    source = tmp_path / "r.md"
    source.write_text("# Title\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n")
    preview = preview_artifact("r.md", source, "text/markdown")
    assert preview.kind == "markdown" and preview.html is not None
    assert "<h1>Title</h1>" in preview.html
    assert "<img" not in preview.html and "&lt;img" in preview.html
    assert 'href="javascript' not in preview.html
    page = tmp_path / "r.html"
    page.write_text("<p>hi</p>")
    assert preview_artifact("r.html", page, "text/html").document == "<p>hi</p>"
    data = tmp_path / "d.json"
    data.write_text('{"a": 1}')
    assert preview_artifact("d.json", data, "application/json").text == '{"a": 1}'


def test_the_stream_needs_a_ticket_for_that_run(server: LiveServer, api: httpx.Client) -> None:
    first = api.post("/api/runs", json={"workflow": "reports"}).json()["id"]
    second = api.post("/api/runs", json={"workflow": "reports"}).json()["id"]
    wait_for_status(api, first, {"succeeded"})
    wait_for_status(api, second, {"succeeded"})
    anonymous = httpx.Client(base_url=server.base_url, timeout=10)
    assert anonymous.get(f"/ui/stream/{first}").status_code == 401
    assert anonymous.post(f"/ui/api/runs/{first}/ticket").status_code == 401
    ticket = api.post(f"/ui/api/runs/{first}/ticket").json()
    assert ticket["expires_at"] > time.time() + 500
    value = ticket["url"].split("ticket=", 1)[1]
    assert anonymous.get(f"/ui/stream/{second}?ticket={value}").status_code == 401
    assert anonymous.get(f"/ui/stream/{first}?ticket={value[:-2]}xx").status_code == 401
    streamed = anonymous.get(ticket["url"])
    assert streamed.status_code == 200
    assert "event: run.finished" in streamed.text and f'"run_id":"{first}"' in streamed.text
    assert anonymous.get(f"/ui/api/runs/{first}/graph").status_code == 401
    anonymous.close()


def test_pages_carry_no_data_and_a_strict_policy(server: LiveServer) -> None:
    page = httpx.get(server.base_url + "/ui/runs/anything", timeout=10)
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "<script>" not in page.text  # every script is a file: no inline code to inject into
    assert "set-cookie" not in page.headers
    assert httpx.get(server.base_url + "/ui/static/../_auth.py", timeout=10).status_code == 404
    assert httpx.get(server.base_url + "/ui/static/run.js", timeout=10).status_code == 200
