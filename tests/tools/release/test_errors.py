"""Release errors: messages built from their fields, hints, exit codes, and pickling."""

from __future__ import annotations

import pickle

import pytest

from devora.errors import EXIT_BAD_INPUT, EXIT_FAILED, DevoraError
from devora.tools.git import GitCommandError, NotAGitRepositoryError
from devora.tools.release import (
    DirtyWorkingTreeError,
    InvalidReleaseTagError,
    NoBumpWorthyCommitsError,
    NoCommitsSinceTagError,
    PushRejectedError,
    RemoteUnavailableError,
    UndoRefusedError,
)

ERRORS: list[DevoraError] = [
    NotAGitRepositoryError("/srv/app"),
    DirtyWorkingTreeError("/srv/app", [f"file{i}.py" for i in range(12)]),
    InvalidReleaseTagError("v1.x", "v{version}"),
    NoCommitsSinceTagError("v1.0.0"),
    NoBumpWorthyCommitsError("v1.0.0", 2, ["docs", "chore", "docs"]),
    GitCommandError(["git", "log"], 128, "fatal: bad revision 'x'\n", cwd="/srv/app"),
    PushRejectedError(
        "origin",
        ["refs/heads/main"],
        ["git", "push"],
        1,
        "remote: frozen\n ! [remote rejected] main -> main (pre-receive hook declined)\n",
        cwd="/srv/app",
    ),
    RemoteUnavailableError("origin", ["git", "ls-remote"], 128, "fatal: unreachable", cwd="/x"),
    UndoRefusedError("tag v1.0.0", "it moved"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_every_error_has_a_message_a_hint_and_survives_pickling(error: DevoraError) -> None:
    assert error.message
    assert error.hint
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (copy.message, copy.hint, vars(copy)) == (error.message, error.hint, vars(error))


def test_exit_codes() -> None:
    assert NotAGitRepositoryError("/x").exit_code == EXIT_BAD_INPUT
    assert DirtyWorkingTreeError("/x", ["a"]).exit_code == EXIT_BAD_INPUT
    assert PushRejectedError("o", [], ["git"], 1, "", cwd="/x").exit_code == EXIT_FAILED


def test_long_lists_of_dirty_paths_are_shortened() -> None:
    error = DirtyWorkingTreeError("/srv/app", [f"file{i}.py" for i in range(12)])
    assert error.message.endswith("file9.py and 2 more")
    assert len(error.dirty_paths) == 12


def test_push_rejection_quotes_the_remote_s_reason() -> None:
    error = ERRORS[6]
    assert error.message == (
        "remote 'origin' rejected the push of refs/heads/main: "
        "! [remote rejected] main -> main (pre-receive hook declined)"
    )


def test_the_hierarchy_drawn_in_the_module_docstring_is_complete() -> None:
    from devora.tools.release import _errors

    assert _errors.__doc__ is not None
    for name in _errors.__all__:
        assert f"── {name} " in _errors.__doc__, name
