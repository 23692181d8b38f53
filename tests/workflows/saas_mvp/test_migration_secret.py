"""The PostgreSQL password reaches the migration child run without leaking: not a stored
input, not in the store at all, not in the environment of a subprocess started afterwards
(libpq reads it from a private password file that is gone once the child has run)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from devora.workflows.saas_mvp._verify_migration import password_file
from tests.cli.harness import Devora, finished_event
from tests.conftest import POSTGRES_URL
from tests.workflows.saas_mvp.workflow_harness import EXAMPLE, configure, saas_env

MIGRATION_ONLY = str(Path(__file__).with_name("migration_only.py")) + ":migration_only"
PASSWORD = "pw-f7c3-never-leaked"


def test_the_password_file_holds_the_password_and_the_url_does_not(tmp_path: Path) -> None:
    url = "postgresql+psycopg://app:p%3Aw%5Cd@db.example:6543/shop?sslmode=disable"
    with password_file(url, tmp_path / "work") as child_url:
        parsed = sa.engine.make_url(child_url)
        assert parsed.password is None and "p:w" not in child_url
        passfile = Path(str(parsed.query["passfile"]))
        assert parsed.query["sslmode"] == "disable"
        assert passfile.read_text() == "db.example:6543:shop:app:p\\:w\\\\d\n"
        assert stat.S_IMODE(passfile.stat().st_mode) == 0o600
    assert not passfile.exists()
    plain = "postgresql+psycopg://app@db.example/shop"
    with password_file(plain, tmp_path / "work") as same:
        assert same == plain


@pytest.mark.slow
def test_a_later_subprocess_and_the_store_never_see_the_password(
    devora: Devora, tmp_path: Path
) -> None:
    configure(devora)
    env = saas_env()
    server = sa.engine.make_url(POSTGRES_URL).set(password=PASSWORD)
    # PostgreSQL here trusts 127.0.0.1: the password is carried, not checked.
    env["DEVORA_SAAS_POSTGRES_URL"] = server.render_as_string(hide_password=False)
    result = devora("run", MIGRATION_ONLY, "--spec", str(EXAMPLE), "--out",
                    str(tmp_path / "board"), "--json", timeout=600, **env)  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    run_id = finished_event(result)["run_id"]
    shown = json.loads(devora("status", run_id, "--json").stdout)
    later = shown["steps"]["later-tool"]["output"]
    assert "DEVORA_SAAS_POSTGRES_URL" in later["names"]
    assert "DEVORA_SAAS_MIGRATION_URL" not in later["names"]
    assert later["holding"] == ["DEVORA_SAAS_POSTGRES_URL"]  # the user's own, nothing else
    child = json.loads(devora("status", f"{run_id}.database-postgresql", "--json").stdout)
    assert child["status"] == "succeeded"
    assert "passfile=" in child["inputs"]["url"] and PASSWORD not in json.dumps(child)
    for stored in devora.home.rglob("*"):
        if stored.is_file() and "/cache/" not in str(stored):
            assert PASSWORD.encode() not in stored.read_bytes(), stored
    assert not list((devora.home / "saas-mvp" / run_id).glob("pgpass-*"))
