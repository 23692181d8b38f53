"""A user's path played in real headless Chromium: one that works, one that does not."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from devora.tools.browser import Click, ExpectText, Fill, Hook, Visit, play_flow
from devora.tools.lighthouse import DEFAULT_BROWSER
from devora.tools.webapp import RunningApp, free_port, open_app
from tests.conftest import require

APP = """
from fastapi import FastAPI, Form
from fastapi.responses import HTMLResponse, RedirectResponse

app = FastAPI()
notes: list[str] = []

@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}

@app.get("/new", response_class=HTMLResponse)
def new() -> str:
    return (
        '<form method="post" action="/new"><input id="note-title" name="title">'
        '<input id="note-done" name="done" type="checkbox">'
        '<button id="note-submit" type="submit">Save</button></form>'
    )

@app.post("/new")
def create(title: str = Form(), done: str = Form("off")) -> RedirectResponse:
    notes.append(f"{title} ({'done' if done == 'on' else 'open'})")
    return RedirectResponse("/notes", status_code=303)

@app.get("/notes", response_class=HTMLResponse)
def listing() -> str:
    rows = "".join(f"<tr><td>{n}</td></tr>" for n in notes)
    return f'<table id="notes-table">{rows}</table>'
"""


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[RunningApp]:
    require(Path(DEFAULT_BROWSER).is_file(), f"Chromium is not installed at {DEFAULT_BROWSER}")
    (tmp_path / "notesapp.py").write_text(APP)
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "notesapp:app", "--port", str(port)]
    async with open_app(argv, cwd=tmp_path, port=port) as running:
        yield running


async def test_create_then_list_works(app: RunningApp, tmp_path: Path) -> None:
    shot = tmp_path / "failed.png"
    result = await play_flow(
        app.url,
        [
            Visit(path="/new"),
            Fill(selector="#note-title", value="buy milk"),
            Fill(selector="#note-done", value="on"),
            Click(selector="#note-submit"),
            ExpectText(text="buy milk (done)", selector="#notes-table"),
        ],
        screenshot=shot,
    )
    assert result.ok, result.failure
    assert [step.action for step in result.steps][-1] == "see 'buy milk (done)' in #notes-table"
    assert result.steps[-1].url == f"{app.url}/notes"
    assert result.browser.startswith("chromium ")
    assert not shot.exists()


async def test_a_failing_step_stops_the_flow_with_its_evidence(
    app: RunningApp, tmp_path: Path
) -> None:
    shot = tmp_path / "failed.png"
    result = await play_flow(
        app.url,
        [
            Visit(path="/new"),
            Fill(selector="#note-title", value="call bob"),
            Click(selector="#note-submit"),
            ExpectText(text="call alice", selector="#notes-table"),
            Visit(path="/never"),
        ],
        screenshot=shot,
        wait_ms=3000,
    )
    assert not result.ok
    assert result.failure is not None
    assert result.failure.action == "see 'call alice' in #notes-table"
    assert "'call alice' is not on the page" in (result.failure.error or "")
    assert len(result.steps) == 4  # the visit after the failure was not played
    assert "call bob (open)" in (result.page_text_tail or "")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


async def test_a_missing_page_and_a_missing_field_fail(app: RunningApp) -> None:
    missing_page = await play_flow(app.url, [Visit(path="/nowhere")])
    assert missing_page.failure is not None
    assert "answered HTTP 404" in (missing_page.failure.error or "")
    missing_field = await play_flow(
        app.url, [Visit(path="/new"), Fill(selector="#nope", value="x", secret=True)], wait_ms=2000
    )
    assert missing_field.failure is not None
    assert missing_field.failure.action == "fill #nope with ***"
    assert "no field matches #nope" in (missing_field.failure.error or "")


async def test_a_hook_runs_between_actions_and_its_failure_stops_the_flow(
    app: RunningApp,
) -> None:
    calls: list[str] = []

    async def note() -> None:
        calls.append("noted")

    async def refuse() -> None:
        raise RuntimeError("make-admin exited 1: no account")

    done = await play_flow(app.url, [Visit(path="/new"), Hook(name="note"), Hook(name="refuse"),
                                     Visit(path="/notes")],
                           hooks={"note": note, "refuse": refuse})  # fmt: skip
    assert calls == ["noted"]
    assert [step.ok for step in done.steps] == [True, True, False]
    assert done.failure is not None and done.failure.action == "run refuse"
    assert done.failure.error == "make-admin exited 1: no account"
    unknown = await play_flow(app.url, [Hook(name="nobody")])
    assert unknown.failure is not None and unknown.failure.error == "no hook named 'nobody'"
