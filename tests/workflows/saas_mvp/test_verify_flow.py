"""What the checks of a generated project do, decided from the spec and the generator's
conventions (no app started here; tests/workflows/saas_mvp/test_workflow_run.py runs them)."""

from __future__ import annotations

from pathlib import Path

from devora.tools.browser import Click, ExpectText, Fill, Hook, Visit
from devora.workflows.saas_mvp import (
    Verification,
    VerificationFailedError,
    VerificationStatus,
    generate_project,
    load_spec,
    parse_spec,
)
from devora.workflows.saas_mvp._verify_browser import MAKE_ADMIN, browser_flow
from tests.workflows.saas_mvp.workflow_harness import EXAMPLE

# A new account may only read: the flow must make it an admin before creating.
READ_ONLY = """name: Notes
entities:
  - name: Notebook
    fields: [{name: title, type: str}, {name: archived, type: bool, required: false}]
  - name: Leaf
    fields: [{name: body, type: text}, {name: written_at, type: datetime}]
    relations: [{name: notebook, entity: Notebook}]
users:
  roles: [{name: reader, permissions: {"*": [list, read]}}]
  default_role: reader
"""


def test_the_browser_creates_what_a_new_account_may_create(tmp_path: Path) -> None:
    spec = load_spec(EXAMPLE)
    project = generate_project(spec, tmp_path / "board")
    actions, entity = browser_flow(project, spec)
    assert entity.name == "Client"
    assert not any(isinstance(action, Hook) for action in actions)
    assert actions[0] == Visit(path="/signup")
    assert Fill(selector="#client-name", value="devora-browser name") in actions
    assert actions[-3:] == [
        Click(selector="#client-submit"),
        Visit(path="/clients"),
        ExpectText(text="devora-browser name", selector="#clients-table"),
    ]


def test_an_account_that_may_only_read_is_made_an_admin_first(tmp_path: Path) -> None:
    spec = parse_spec(READ_ONLY)
    project = generate_project(spec, tmp_path / "notes")
    actions, entity = browser_flow(project, spec)
    assert entity.name == "Notebook"
    hook = actions.index(Hook(name=MAKE_ADMIN))
    assert isinstance(actions[hook - 1], Click) and actions[hook + 1] == Visit(
        path="/notebooks/new"
    )
    assert Fill(selector="#notebook-archived", value="on") in actions
    password = next(a for a in actions if isinstance(a, Fill) and "password" in a.selector)
    assert password.secret and "***" in password.describe()


def test_a_failed_check_carries_its_evidence() -> None:
    failed = Verification(
        name="project tests",
        status=VerificationStatus.FAILED,
        command=("python", "-m", "pytest"),
        exit_status=1,
        output_tail="\n".join(f"line {n}" for n in range(30)),
        reason="1 failing: tests/test_a.py::test_x",
    )
    not_run = Verification(name="browser", status=VerificationStatus.NOT_RUN, reason="no chromium")
    assert not failed.passed and not not_run.passed
    error = VerificationFailedError([failed, not_run], "/tmp/board")
    assert error.exit_code == 1 and error.code == "saas_verification_failed"
    assert "did not pass project tests, browser" in error.message
    assert "command: python -m pytest\nexit status: 1" in error.message
    assert "line 29" in error.message and "line 17" not in error.message  # the end only
    assert "browser: not_run (no chromium)" in error.message
    assert error.hint is not None and "/tmp/board" in error.hint
