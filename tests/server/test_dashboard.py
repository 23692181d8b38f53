"""The dashboard in a real headless Chromium (Playwright driving Debian's chromium)."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devora.tools.browser import CHROMIUM_FLAGS
from tests.conftest import require
from tests.server.conftest import LiveServer, wait_for_status
from tests.server.test_sse import read_frames

CHROMIUM = "/usr/bin/chromium"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "python-project"

pytestmark = pytest.mark.slow

if os.environ.get("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD") is None:
    os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    require(Path(CHROMIUM).exists(), f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_FLAGS))
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object, server: LiveServer, request: pytest.FixtureRequest) -> Iterator[object]:
    """A page logged in to the dashboard through its form; on a failure, what it showed."""
    context = browser.new_context()  # type: ignore[attr-defined]
    shown = _log_in(context.new_page(), server, "/ui")
    console: list[str] = []
    shown.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    shown.on("pageerror", lambda error: console.append(f"page error: {error}"))
    yield shown
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(_what_the_page_showed(shown, server, console))
    context.close()


def _what_the_page_showed(page: Any, server: LiveServer, console: list[str]) -> str:
    """The page's state, the run's in the API, and the server's output (failure report)."""
    lines = [f"page: {page.url}"]
    state = page.evaluate(
        """() => ({
            live: document.getElementById("live")?.textContent,
            error: document.getElementById("error")?.textContent,
            formErrors: [...document.querySelectorAll("form.answer p.error")].map(
                e => e.textContent),
            forms: [...document.querySelectorAll("form.answer")].map(f => f.dataset.step),
            steps: Object.fromEntries([...document.querySelectorAll("g.step")].map(
                g => [g.dataset.step, g.dataset.status])),
            log: [...document.querySelectorAll("#log li")].map(li => li.textContent),
        })"""
    )
    lines += [f"{key}: {value}" for key, value in state.items()]
    lines += [f"console {line}" for line in console]
    run_id = page.url.rsplit("/", 1)[-1]
    if "/ui/runs/" in page.url:
        detail = httpx.get(f"{server.base_url}/api/runs/{run_id}", headers=server.headers)
        lines.append(f"API: {detail.status_code} {detail.text[:2000]}")
        events = httpx.get(
            f"{server.base_url}/api/runs/{run_id}/events?follow=false", headers=server.headers
        )
        for frame in read_frames(events):
            event = frame["data"]
            status = event["data"].get("status", "")
            lines.append(f"journal {event['seq']} {event['kind']} {event['step_id']} {status}")
    lines.append(f"server stderr: {server.terminate()}")
    return "\n".join(lines)


def _log_in(page: Any, server: LiveServer, path: str) -> Any:
    """`page` at `path`, logged in through the form (the token stays in the tab)."""
    page.set_default_timeout(60_000)  # a full run loads the machine; a pass never waits it out
    page.goto(server.base_url + path)
    page.fill("#token", server.token)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#content:not([hidden])")
    return page


def _start(api: httpx.Client, workflow: str, **inputs: object) -> str:
    response = api.post("/api/runs", json={"workflow": workflow, "inputs": inputs})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _open_run(
    page: Any, server: LiveServer, api: httpx.Client, workflow: str, status: str, **inputs: object
) -> str:
    """Start a run, wait until it is `status`, open its page; the run's id."""
    run_id = _start(api, workflow, **inputs)
    wait_for_status(api, run_id, {status})
    page.goto(f"{server.base_url}/ui/runs/{run_id}")
    return run_id


def _step(page: object, step: str) -> object:
    return page.locator(f'g.step[data-step="{step}"]')  # type: ignore[attr-defined]


def test_watch_a_running_step_finish_and_the_run_end(
    page: object, server: LiveServer, api: httpx.Client
) -> None:
    _open_run(page, server, api, "chain", "running", slow=4)
    slow = _step(page, "slow")
    slow.and_(page.locator('[data-status="running"]')).wait_for()  # type: ignore[attr-defined]
    assert "step-running" in (slow.get_attribute("class") or "")  # type: ignore[attr-defined]
    slow.and_(page.locator('[data-status="succeeded"]')).wait_for()  # type: ignore[attr-defined]
    page.wait_for_selector("#run-status .status-succeeded")  # type: ignore[attr-defined]
    statuses = {
        step: _step(page, step).get_attribute("data-status")  # type: ignore[attr-defined]
        for step in ("first", "second", "side", "slow", "last")
    }
    assert statuses == dict.fromkeys(statuses, "succeeded")
    log = page.locator("#log li").all_text_contents()  # type: ignore[attr-defined]
    assert any("slow: sleeping" in line for line in log), log
    seqs = [
        int(s) for s in page.locator("#log li").evaluate_all("els => els.map(e => e.dataset.seq)")
    ]  # type: ignore[attr-defined]
    assert seqs == sorted(set(seqs)), "every event once, in order"


def test_approve_then_complete_a_form_and_see_the_run_end(
    page: object, server: LiveServer, api: httpx.Client
) -> None:
    run_id = _open_run(page, server, api, "gated", "waiting", release="3.0")
    deploy = _step(page, "deploy")
    deploy.and_(page.locator('[data-status="waiting"]')).wait_for()  # type: ignore[attr-defined]
    assert "squad-devops" in (deploy.get_attribute("class") or "")  # type: ignore[attr-defined]
    assert "squad-qa" in (_step(page, "prepare").get_attribute("class") or "")  # type: ignore[attr-defined]

    approval = page.locator('form.answer[data-step="deploy"]')  # type: ignore[attr-defined]
    approval.locator("textarea[name=comment]").fill("ship it")
    approval.locator("button[name=approve]").click()
    deploy.and_(page.locator('[data-status="succeeded"]')).wait_for()  # type: ignore[attr-defined]

    notes = page.locator('form.answer[data-step="release_notes"]')  # type: ignore[attr-defined]
    notes.wait_for()
    notes.locator("[name=text]").fill("first notes")
    notes.locator("[name=reviewers]").fill("0")  # the schema says >= 1: the browser refuses
    notes.locator("button[type=submit]").click()
    assert api.get(f"/api/runs/{run_id}").json()["status"] == "waiting"
    notes.locator("[name=reviewers]").fill("2")
    notes.locator("button[type=submit]").click()
    page.wait_for_selector("#run-status .status-succeeded")  # type: ignore[attr-defined]
    assert _step(page, "release_notes").get_attribute("data-status") == "succeeded"  # type: ignore[attr-defined]
    detail = api.get(f"/api/runs/{run_id}").json()
    assert detail["steps"]["release_notes"]["output"] == "first notes (2 reviewers)"
    assert server.ran().count("deploy") == 1


def test_a_schema_error_from_the_server_is_shown_and_nothing_recorded(
    page: object, server: LiveServer, api: httpx.Client
) -> None:
    run_id = _open_run(page, server, api, "gated", "waiting")
    page.locator('form.answer[data-step="deploy"] button[name=approve]').click()  # type: ignore[attr-defined]
    notes = page.locator('form.answer[data-step="release_notes"]')  # type: ignore[attr-defined]
    notes.wait_for()
    # remove the browser's own check, so the server's (the step's schema) answers
    notes.evaluate("f => f.querySelector('[name=reviewers]').removeAttribute('min')")
    notes.locator("[name=text]").fill("x")
    notes.locator("[name=reviewers]").fill("0")
    notes.locator("button[type=submit]").click()
    alert = notes.locator("p.error")
    alert.filter(has_text="reviewers").wait_for()
    assert api.get(f"/api/runs/{run_id}").json()["status"] == "waiting"


def test_artifacts_render_markdown_inline_and_charts_draw(
    page: object, server: LiveServer, api: httpx.Client
) -> None:
    _open_run(page, server, api, "reports", "succeeded", title="Weekly <script>alert(1)</script>")
    page.get_by_role("button", name="report.md").click()  # type: ignore[attr-defined]
    heading = page.locator("#artifact-view .markdown h1")  # type: ignore[attr-defined]
    heading.wait_for()
    assert heading.text_content() == "Weekly <script>alert(1)</script>"  # shown, not run
    assert page.locator("#artifact-view script").count() == 0  # type: ignore[attr-defined]
    page.goto(f"{server.base_url}/ui/charts")  # type: ignore[attr-defined]
    page.wait_for_selector("#content:not([hidden])")  # type: ignore[attr-defined]
    page.locator("#empty").wait_for()  # type: ignore[attr-defined]  # shown once loaded
    assert page.locator("#charts figure").count() == 0  # type: ignore[attr-defined]


def test_a_wrong_token_stays_at_the_login_form(browser: object, server: LiveServer) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(server.base_url + "/ui")
    page.fill("#token", "not-the-token-at-all")
    page.click("#login-form button[type=submit]")
    page.locator("#login-error").filter(has_text="token").wait_for()
    assert page.locator("#content").is_hidden()
    context.close()


def test_cancel_a_running_run_from_its_page(
    page: object, server: LiveServer, api: httpx.Client
) -> None:
    run_id = _open_run(page, server, api, "chain", "running", slow=60)
    _step(page, "slow").and_(page.locator('[data-status="running"]')).wait_for()  # type: ignore[attr-defined]
    assert page.locator("#resume-run").is_hidden()  # type: ignore[attr-defined]
    page.click("#cancel-run")  # type: ignore[attr-defined]
    page.wait_for_selector("#run-status .status-cancelled")  # type: ignore[attr-defined]
    assert page.locator("#cancel-run").is_hidden()  # type: ignore[attr-defined]
    page.locator("#resume-run").wait_for()  # type: ignore[attr-defined]
    detail = api.get(f"/api/runs/{run_id}").json()
    assert detail["status"] == "cancelled" and "last" not in detail["steps"]
    assert "last" not in server.ran()  # stopped at `slow`, nothing after it ran


def test_cancel_then_resume_a_waiting_run_from_its_page(
    page: object, server: LiveServer, api: httpx.Client
) -> None:
    run_id = _open_run(page, server, api, "gated", "waiting", release="4.0")
    page.locator('form.answer[data-step="deploy"]').wait_for()  # type: ignore[attr-defined]
    page.click("#cancel-run")  # type: ignore[attr-defined]
    page.wait_for_selector("#run-status .status-cancelled")  # type: ignore[attr-defined]
    assert api.get(f"/api/runs/{run_id}").json()["status"] == "cancelled"
    page.click("#resume-run")  # type: ignore[attr-defined]
    page.wait_for_selector("#run-status .status-waiting")  # type: ignore[attr-defined]
    approval = page.locator('form.answer[data-step="deploy"]')  # type: ignore[attr-defined]
    approval.locator("button[name=approve]").click()
    _step(page, "deploy").and_(page.locator('[data-status="succeeded"]')).wait_for()  # type: ignore[attr-defined]
    log = page.locator("#log li").all_text_contents()  # type: ignore[attr-defined]
    assert any("run.resumed" in line for line in log), log  # the page follows the resumed run
    assert server.ran().count("prepare") == 1  # its recorded output reused


def test_the_runs_list_shows_runs_and_filters_them(
    page: Any, server: LiveServer, api: httpx.Client
) -> None:
    chain = _start(api, "chain")
    gated = _start(api, "gated", release="6.0")
    wait_for_status(api, gated, {"waiting"})
    rows = page.locator("#runs tbody tr")
    page.locator(f'tr[data-run="{chain}"]').wait_for()
    page.locator(f'tr[data-run="{gated}"] .status-waiting').wait_for()  # read again, live
    page.select_option("#filters select[name=workflow]", "gated")
    page.wait_for_function(f"() => !document.querySelector('tr[data-run=\"{chain}\"]')")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.run)") == [gated]
    assert page.url.endswith("?workflow=gated")
    page.select_option("#filters select[name=status]", "succeeded")
    page.locator("#empty").wait_for()  # the gated run waits: none of its runs succeeded
    assert rows.count() == 0


def test_a_read_answered_late_never_puts_an_older_state_back(
    page: Any, server: LiveServer, api: httpx.Client
) -> None:
    """The page reads its run again at each change. Two reads at once can answer out of
    order (a loaded server, two connections); the older state, shown last, would stay on
    the page. So the page reads one at a time: here the first read is held unanswered."""
    run_id = _open_run(page, server, api, "gated", "waiting", release="5.0")
    page.locator('form.answer[data-step="deploy"]').wait_for()
    before = api.get(f"/api/runs/{run_id}").text  # the state the held read will answer
    reads: list[Any] = []

    def hold_the_first(route: Any) -> None:
        reads.append(route)
        if len(reads) > 1:
            route.continue_()

    page.route(f"**/api/runs/{run_id}", hold_the_first)
    answered = api.post(f"/api/runs/{run_id}/steps/deploy/approve", json={"comment": "API"})
    assert answered.status_code == 200, answered.text
    wait_for_status(api, run_id, {"waiting"})
    deadline = time.monotonic() + 60
    while not reads and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # the page hears the run move on, and reads it
    assert reads, "the page did not read the run again after it moved on"
    page.click("#cancel-run")
    page.locator("#log li").filter(has_text="run.finished: cancelled").wait_for()
    page.wait_for_timeout(500)  # time enough for a second read, if the page sent one
    assert len(reads) == 1, "a second read went out while the first was unanswered"

    reads[0].fulfill(status=200, content_type="application/json", body=before)
    page.wait_for_selector("#run-status .status-cancelled")
    page.wait_for_timeout(500)  # and it stays so: no older answer comes after
    assert page.locator("#run-status").text_content() == "cancelled"
    assert page.locator("form.answer").count() == 0
    assert page.locator("#resume-run").is_visible()


def test_a_form_being_filled_in_keeps_its_text_and_focus_while_the_run_moves_on(
    page: Any, server: LiveServer, api: httpx.Client
) -> None:
    """Another approval is answered meanwhile: the run runs (`legal` takes a minute), and
    the page reads it again; the form being typed in must not move, nor go."""
    run_id = _open_run(page, server, api, "two_gates", "waiting", pause=60)
    security = page.locator('form.answer[data-step="security"] textarea[name=comment]')
    security.click()
    page.keyboard.type("checked the")
    answered = api.post(f"/api/runs/{run_id}/steps/legal/approve", json={"comment": "fine"})
    assert answered.status_code == 200, answered.text
    _step(page, "legal").and_(page.locator('[data-status="running"]')).wait_for()
    page.wait_for_selector("#run-status .status-running")  # a read of the running run, shown
    page.keyboard.type(" firewall")  # the person goes on typing where they were
    assert security.input_value() == "checked the firewall"
    assert security.evaluate("field => document.activeElement === field")


def test_the_score_chart_has_a_point_per_gate_run(
    browser: object, start_server: Callable[..., LiveServer], tmp_path: Path
) -> None:
    """The real quality gate, twice through the API on a copy of examples/python-project."""
    project = tmp_path / "python-project"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__", ".*_cache"))
    tools = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    server = start_server(PATH=tools)
    api = server.client()
    run_ids, scores = [], []
    for _ in range(2):
        run_id = _start(api, "quality-gate", path=str(project))
        detail = wait_for_status(api, run_id, {"succeeded", "failed", "rolled_back"}, 300)
        run_ids.append(run_id)
        scores.append(detail["summary"]["score"])  # type: ignore[index]
    context = browser.new_context()  # type: ignore[attr-defined]
    page = _log_in(context.new_page(), server, "/ui/charts")
    chart = page.locator('figure[data-figure="score"]').filter(has_text="quality-gate")
    chart.wait_for()
    assert "(2 runs)" in chart.locator("figcaption").text_content()
    points = chart.locator("circle.point")
    assert points.count() == 2
    titles = points.evaluate_all("els => els.map(e => e.textContent)")
    assert [t.split(": ")[0] for t in titles] == run_ids  # oldest first
    assert all(f": {score} (" in title for score, title in zip(scores, titles, strict=True)), titles
    assert page.locator("#charts h2").first.text_content() == str(project)
    assert page.locator("#empty").is_hidden()
    context.close()
