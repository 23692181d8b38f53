"""Secrets stay secret: one redactor knows them all, and every boundary applies it."""

from __future__ import annotations

import json
import sqlite3
import stat
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devora.secrets import MASK, known_secrets, mask_url, redact, redact_value, url_password

sys.path.insert(0, str(Path(__file__).parent / "workflows" / "quality_gate"))

from gate_projects import make_clean_project, tool_path

from tests.cli.harness import Devora

# Passwords with the characters a pattern gets wrong: `/`, `#` and `@`.
AWKWARD_URLS = {
    "postgresql://app:pa/ss#w@rd-9@db.example:5432/prod": "pa/ss#w@rd-9",
    "postgresql://app:p%2Fa%23s%40s-word@db.example/prod": "p/a#s@s-word",
    "mysql+pymysql://root:s3cr#t-pw@localhost/db": "s3cr#t-pw",
    "https://bot:tok/en-42@git.example.com/org/repo.git": "tok/en-42",
}


@pytest.mark.parametrize(("url", "password"), AWKWARD_URLS.items())
def test_a_url_password_is_found_and_masked_whatever_its_characters(
    url: str, password: str
) -> None:
    assert url_password(url) == password
    masked = mask_url(url)
    assert "***" in masked
    for piece in (password, password.split("#")[0], password.split("@")[-1]):
        assert piece not in masked


def test_urls_without_a_password_are_left_alone() -> None:
    for url in ("sqlite:////tmp/devora.db", "postgresql://app@db/prod", "https://pypi.org/x"):
        assert mask_url(url) == url
        assert url_password(url) is None


def test_every_secret_looking_variable_and_url_password_is_known() -> None:
    env = {
        "ACME_API_KEY": "acme-live-1234",
        "GITHUB_TOKEN": "tok-5678-abcd",
        "SMTP_PASSWD": "mail-pass-1",
        "AWS_SECRET_ACCESS_KEY": "aws/secret+key",
        "GCP_CREDENTIALS": "cred-json-blob",
        "DATABASE_URL": "postgresql://app:pa/ss#w@rd-9@db.example:5432/prod",
        "ANALYTICS_DSN": "https://user:dsn-pass-7@sentry.example/1",
        "PIP_NO_KEYRING": "true",  # a setting with a secret-looking name, not a secret
        "EDITOR": "vim",
    }
    secrets = known_secrets(env)
    for name in ("ACME_API_KEY", "GITHUB_TOKEN", "SMTP_PASSWD", "AWS_SECRET_ACCESS_KEY"):
        assert env[name] in secrets
    assert {env["GCP_CREDENTIALS"], env["DATABASE_URL"], "pa/ss#w@rd-9", "dsn-pass-7"} <= secrets
    assert "true" not in secrets and "vim" not in secrets


def test_redact_masks_environment_secrets_in_text_and_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACME_API_KEY", "acme-live-1234")
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:pa/ss#w@rd-9@db.example/prod")
    text = "connecting to postgresql://app:pa/ss#w@rd-9@db.example/prod with acme-live-1234"
    assert redact(text) == f"connecting to {MASK} with {MASK}"
    data = {"log": ["key acme-live-1234"], "password was pa/ss#w@rd-9": 3, "n": 1.5}
    assert redact_value(data) == {"log": [f"key {MASK}"], f"password was {MASK}": 3, "n": 1.5}


def test_runbook_output_masks_a_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    from devora.llm import redact as runbook_redact  # what incident runbooks mask with

    monkeypatch.setenv("DATABASE_URL", "postgresql://ops:hunter-22@db/prod")
    assert "hunter-22" not in runbook_redact("psql postgresql://ops:hunter-22@db/prod failed")


API_KEY = "acme-live-9f8e7d6c5b"
DB_PASSWORD = "db/pa#ss@w0rd"
DB_URL = f"postgresql://app:{DB_PASSWORD}@db.internal:5432/prod"

LEAKY_TEST = f'''
import os


def test_connects() -> None:
    print("using key", os.environ["ACME_API_KEY"])
    print("database", os.environ["DATABASE_URL"])
    assert os.environ["ACME_API_KEY"] == "{API_KEY}x", os.environ["DATABASE_URL"]
'''


def _files_under(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def _store_rows(database: Path) -> str:
    with sqlite3.connect(database) as connection:
        tables = [
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        dumped = [
            repr(row)
            for table in tables
            if not table.startswith("sqlite_")
            for row in connection.execute(f'SELECT * FROM "{table}"')
        ]
    return "\n".join(dumped)


def test_a_failing_test_that_prints_secrets_leaves_them_nowhere(tmp_path: Path) -> None:
    project = make_clean_project(tmp_path / "project")
    (project / "tests" / "test_leak.py").write_text(LEAKY_TEST, encoding="utf-8")
    home = tmp_path / "home" / ".devora"
    home.parent.mkdir()
    reports = tmp_path / "reports"
    devora = Devora(home=home)
    env = {"PATH": tool_path(), "ACME_API_KEY": API_KEY, "DATABASE_URL": DB_URL}
    result = devora(
        "run",
        "quality-gate",
        str(project),
        "--report-dir",
        str(reports),
        "--json",
        timeout=300,
        **env,
    )
    assert result.returncode == 1, result.stderr  # the leaky test fails the gate
    listing = devora("runs", **env).stdout + devora("config", **env).stdout
    secrets = (API_KEY, DB_PASSWORD, "db/pa#ss", "ss@w0rd")
    written = _files_under(home, reports)
    assert any(p.name == "report.json" for p in written)
    assert any("cache" in p.parts for p in written)
    for path in written:
        if path.parent == reports or "quality-gate" in path.parts:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path  # private, like artifacts
        content = path.read_bytes().decode("utf-8", errors="replace")
        for secret in secrets:
            assert secret not in content, f"{secret!r} leaked into {path}"
    rows = _store_rows(home / "devora.db")
    assert "test_leak" in rows and MASK in rows  # the failure is kept, its secrets masked
    for secret in secrets:
        assert secret not in rows
        assert secret not in result.stdout + result.stderr + listing
    report = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    assert MASK in json.dumps(report)


@settings(max_examples=200, deadline=None)
@given(
    before=st.text(max_size=40),
    secret=st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        min_size=4,
        max_size=30,
    ).filter(lambda s: s.strip() == s and s.lower() not in {"true", "false", "none", "null"}),
    after=st.text(max_size=40),
)
def test_an_environment_secret_never_survives_redaction(
    before: str, secret: str, after: str
) -> None:
    # The store redacts every event through the cached masker: a variable set in the
    # environment after that cache was built must still be masked.
    if secret.isdigit():
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HYPOTHESIS_API_TOKEN", secret)
        text = before + secret + after
        assert secret not in redact(text)
        assert secret not in json.dumps(redact_value({"k": [text], text: 1}))
