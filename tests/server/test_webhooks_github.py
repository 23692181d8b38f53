"""GitHub push and pull_request: the gate on the commit's changed lines, the comment posted."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from devora.config import load_config
from devora.server import create_app
from devora.store import open_store
from devora.webhooks import github_signature

SECRET = "gh-secret-0123456789"
TOKEN = "ghp_testtoken0123456789abcdefABCDEF01"


class GitHubAPI:
    """A local server answering the one REST call Devora makes: create a comment."""

    def __init__(self) -> None:
        self.comments: list[dict[str, Any]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                api.comments.append(
                    {"path": self.path, "body": body["body"], "auth": self.headers["Authorization"]}
                )
                answer = json.dumps({"id": 1, "html_url": f"https://github.test{self.path}/1"})
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin"}  # fmt: skip
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def github_api() -> Iterator[GitHubAPI]:
    api = GitHubAPI()
    yield api
    api.close()


@pytest.fixture
def repository(tmp_path: Path) -> tuple[Path, str, str]:
    """A project with two commits; the second adds an unused import (a ruff finding)."""
    repo = tmp_path / "upstream"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0.1"\n')
    (repo / "mod.py").write_text("x = 1\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "first")
    base = git(repo, "rev-parse", "HEAD")
    (repo / "mod.py").write_text("import os\nx = 1\n")
    git(repo, "commit", "-qam", "second")
    (repo / "mod.py").write_text("x = 2\n")  # the work tree moves on: the checkout must not
    return repo, base, git(repo, "rev-parse", "HEAD")


def wait_finished(home: Path, run_id: str, timeout: float = 240) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open_store(home=home) as store:
            run = store.get_run(run_id)
        if run.status.finished:
            return run
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} did not finish in {timeout}s")


def test_a_pull_request_runs_the_gate_on_its_commit_and_posts_the_comment(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    github_api: GitHubAPI,
    repository: tuple[Path, str, str],
) -> None:
    repo, base, head = repository
    (tmp_path / "devora.toml").write_text(
        f'[webhooks.github]\nrepository = "{repo}"\napi_url = "{github_api.url}"\n'
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEVORA_API_TOKEN", "api-token-0123456789abcdef")
    monkeypatch.setenv("DEVORA_GITHUB_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    home = tmp_path / ".devora"
    body = json.dumps(
        {
            "action": "opened",
            "number": 7,
            "pull_request": {"head": {"sha": head}, "base": {"sha": base}},
            "repository": {"full_name": "octo/demo", "clone_url": "https://example.invalid/x"},
        }
    ).encode()
    headers = {
        "X-GitHub-Event": "pull_request",
        "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        "X-Hub-Signature-256": github_signature(SECRET, body),
    }
    app = create_app(home=home, config=load_config(tmp_path))
    with TestClient(app) as client:
        answer = client.post("/hooks/github", content=body, headers=headers)
        assert answer.status_code == 202, answer.text
        [outcome] = answer.json()["outcomes"]
        assert outcome["action"] == "started"
        again = client.post("/hooks/github", content=body, headers=headers)  # a redelivery
        assert again.status_code == 200
        assert again.json()["outcomes"][0]["run_id"] == outcome["run_id"]
        run = wait_finished(home, outcome["run_id"])
    assert run.workflow == "commit-gate"
    assert run.inputs["sha"] == head and run.inputs["base"] == base
    with open_store(home=home) as store:
        assert len(store.list_runs(workflow="commit-gate")) == 1
        gate = store.get_run(f"{run.id}.gate")
        artifacts = {a.name: Path(a.path) for a in store.artifacts(run.id)}
        report = {a.name: Path(a.path) for a in store.artifacts(gate.id)}["report.md"]
    # The gate judged the commit's changed lines in a clean checkout, not the work tree.
    assert gate.inputs["changed"] is True and gate.inputs["base"] == base
    comment = artifacts["comment.md"].read_text()
    assert comment == report.read_text()
    assert "F401" in comment and "mod.py" in comment
    [posted] = github_api.comments
    assert posted["path"] == "/repos/octo/demo/issues/7/comments"
    assert posted["body"] == comment
    assert posted["auth"] == f"Bearer {TOKEN}"
    # The gate failed (an unused import), so does the run; compensation removed the checkout.
    assert run.status.value == "rolled_back"
    assert not (home / "checkouts" / run.id).exists()  # the checkout is gone


def test_without_a_token_the_comment_is_kept_but_not_posted(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    github_api: GitHubAPI,
    repository: tuple[Path, str, str],
) -> None:
    repo, base, head = repository
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEVORA_API_TOKEN", "api-token-0123456789abcdef")
    monkeypatch.setenv("DEVORA_GITHUB_WEBHOOK_SECRET", SECRET)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("GITHUB_API_URL", github_api.url)
    home = tmp_path / ".devora"
    body = json.dumps(
        {"ref": "refs/heads/main", "before": base, "after": head,
         "repository": {"full_name": "octo/demo", "clone_url": str(repo)}}
    ).encode()  # fmt: skip
    headers = {
        "X-GitHub-Event": "push",
        "X-GitHub-Delivery": "push-1",
        "X-Hub-Signature-256": github_signature(SECRET, body),
    }
    with TestClient(create_app(home=home, config=load_config(tmp_path))) as client:
        answer = client.post("/hooks/github", content=body, headers=headers)
        assert answer.status_code == 202, answer.text
        run = wait_finished(home, answer.json()["outcomes"][0]["run_id"])
    with open_store(home=home) as store:
        names = {a.name for a in store.artifacts(run.id)}
        logs = [e.message or "" for e in store.events(run.id)]
    assert "comment.md" in names
    assert any("comment not posted: $GITHUB_TOKEN is not set" in line for line in logs)
    assert github_api.comments == []
