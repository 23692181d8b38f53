"""The migration step: when the design marks a data change as needing one and the project
keeps Alembic migrations, the branch must add a revision that applies on a fresh SQLite (the
migration workflow, as a child run), downgrades and upgrades again; otherwise the run fails
with the evidence. People answer every step here (no model), through the real CLI.

The four changes are given to the same run, waiting for a person's change after its design
was approved: that run is made once (the CLI's start, three answers and an approval), and
its project and Devora home are put back, byte for byte and at the same paths, before each
change is given."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cli.harness import Devora, finished_event
from tests.tools.bisect.history import git
from tests.workflows.conftest import GIT_ENV
from tests.workflows.feature_development.conftest import (
    CART_WITH_DISCOUNT,
    DESIGN,
    PLAN,
    PRD,
    REQUEST,
    make_project,
    no_model,
)

pytestmark = pytest.mark.slow

ALEMBIC = {
    "alembic.ini": "[alembic]\nscript_location = migrations\n",
    "migrations/env.py": "# the project's own env.py: Devora does not run it\n",
    "migrations/versions/0001_carts.py": (
        '"""carts"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
        'revision = "0001"\ndown_revision = None\n\n\n'
        "def upgrade():\n"
        '    op.create_table("carts", sa.Column("id", sa.Integer, primary_key=True))\n\n\n'
        'def downgrade():\n    op.drop_table("carts")\n'
    ),
}
REVISION = "migrations/versions/0002_discount.py"


def revision(upgrade: str, downgrade: str) -> str:
    return (
        '"""discount"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
        'revision = "0002"\ndown_revision = "0001"\n\n\n'
        f"def upgrade():\n    {upgrade}\n\n\ndef downgrade():\n    {downgrade}\n"
    )


ADD = 'op.add_column("carts", sa.Column("discount", sa.Integer, nullable=True))'
DROP = 'op.drop_column("carts", "discount")'
MIGRATED = DESIGN | {"data": [{"table": "carts", "columns": ["discount"], "migration": True}]}


def complete(devora: Devora, tmp_path: Path, run_id: str, step: str, payload: Any) -> Any:
    file = tmp_path / f"{step}.json"
    file.write_text(json.dumps(payload))
    return devora("complete", run_id, step, "--output", str(file), timeout=900, **no_model())


@dataclass(frozen=True)
class Waiting:
    """A run on an Alembic project, its design approved, waiting for a person's change."""

    devora: Devora
    repo: Path
    run_id: str


def design_approved(root: Path) -> Waiting:
    devora = Devora(home=root / "home" / ".devora")
    devora.home.parent.mkdir(parents=True)
    repo = make_project(root / "shop", files=ALEMBIC)
    first = devora("run", "feature-development", str(repo), "--request", REQUEST, "--json",
                   timeout=600, **no_model())  # fmt: skip
    run_id = str(finished_event(first)["run_id"])
    for step, payload in (("analyze", PRD), ("plan", PLAN), ("design_api", MIGRATED)):
        done = complete(devora, root, run_id, step, payload)
        assert done.returncode == 3, done.stdout[-3000:] + done.stderr[-3000:]
    assert devora("approve", run_id, "approve_design", timeout=600, **no_model()).returncode == 3
    [task] = json.loads(devora("tasks", "--json").stdout)
    assert (task["run_id"], task["step_id"]) == (run_id, "implement")
    return Waiting(devora, repo, run_id)


@pytest.fixture(scope="module")
def waiting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], Waiting]]:
    """Put back the run waiting for a person's change, as it was when first made."""
    root = tmp_path_factory.mktemp("migration")
    kept = tmp_path_factory.mktemp("migration-kept") / "state"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in GIT_ENV.items():
            patch.setenv(name, value)
        made = design_approved(root)
        shutil.copytree(root, kept, symlinks=True)

        def restored() -> Waiting:
            shutil.rmtree(root)
            shutil.copytree(kept, root, symlinks=True)
            return made

        yield restored


def implemented(waiting: Callable[[], Waiting], tmp_path: Path,
                files: dict[str, str]) -> tuple[Devora, str, Any]:  # fmt: skip
    """The waiting run put back, and a person's change given to it."""
    run = waiting()
    devora, repo, run_id = run.devora, run.repo, run.run_id
    base = git(repo, "rev-parse", "HEAD").strip()
    where = tmp_path / "mine"
    git(repo, "worktree", "add", "-q", "-b", "mine", str(where), base)
    for name, text in files.items():
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        (where / name).write_text(text)
    git(where, "add", "-A")
    git(where, "commit", "-q", "-m", "discount")
    commit = git(where, "rev-parse", "HEAD").strip()
    git(repo, "worktree", "remove", str(where))
    return devora, run_id, complete(devora, tmp_path, run_id, "implement", {"commit": commit})


def check(devora: Devora, run_id: str) -> dict[str, Any]:
    found = json.loads((devora.home / "artifacts" / run_id / "migration-check.json").read_text())
    assert isinstance(found, dict)
    return found


def test_a_migration_that_applies_and_downgrades_passes(
    waiting: Callable[[], Waiting], tmp_path: Path
) -> None:
    files = {"src/shop/cart.py": CART_WITH_DISCOUNT, REVISION: revision(ADD, DROP)}
    devora, run_id, done = implemented(waiting, tmp_path, files)
    assert done.returncode == 3, done.stdout[-3000:] + done.stderr[-3000:]
    [task] = json.loads(devora("tasks", "--json").stdout)
    assert task["step_id"] == "test"  # the migration step passed, the acceptance tests wait
    found = check(devora, run_id)
    assert found["status"] == "passed" and found["new"] == [REVISION]
    assert found["applied"] == ["0001", "0002"] and found["downgraded_to"] == ["0001"]
    shown = json.loads(devora("status", run_id, "--json").stdout)
    assert shown["steps"]["migration"]["status"] == "succeeded"
    assert found["child_run"] == f"{run_id}.migration"
    child = json.loads(devora("status", found["child_run"], "--json").stdout)
    assert (child["workflow"], child["status"]) == ("migration", "succeeded"), child


@pytest.mark.parametrize(
    ("files", "evidence"),
    [
        ({"src/shop/cart.py": CART_WITH_DISCOUNT}, "the branch adds no Alembic revision"),
        (
            {REVISION: revision('op.add_column("nope", sa.Column("d", sa.Integer))', DROP)},
            "does not apply on a fresh SQLite",
        ),
        ({REVISION: revision(ADD, "pass")}, "the downgrade left the schema as the upgrade"),
    ],
    ids=["missing", "not-applying", "no-downgrade"],
)
def test_a_missing_or_failing_migration_fails_the_step(
    waiting: Callable[[], Waiting], tmp_path: Path, files: dict[str, str], evidence: str
) -> None:
    devora, run_id, done = implemented(waiting, tmp_path, files)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    shown = json.loads(devora("status", run_id, "--json").stdout)
    assert shown["steps"]["migration"]["status"] == "failed"
    assert evidence in shown["error"]["message"], shown["error"]
    assert check(devora, run_id)["status"] == "failed"
    assert shown["status"] == "rolled_back"  # the branch went with the implement step
