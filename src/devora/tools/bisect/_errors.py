"""The errors of bisection.

DevoraError
└── UsageError
    ├── UnknownRefError       a ref (--good, --bad) names no commit
    ├── GoodIsBadError        the reproducer already fails at the known-good ref
    └── NotAnAncestorError    the good ref is not an ancestor of the bad one
"""

from __future__ import annotations

from devora.errors import UsageError

__all__ = ["GoodIsBadError", "NotAnAncestorError", "UnknownRefError"]


class UnknownRefError(UsageError):
    """The ref names no commit of the repository."""

    code = "unknown_ref"

    def __init__(self, option: str, ref: str) -> None:
        self.option = option
        self.ref = ref
        super().__init__(
            f"{option} {ref!r} names no commit of the repository",
            hint="give a branch, a tag or a commit hash that `git rev-parse --verify` knows, "
            "or leave --good out to let Devora walk back until the reproducer passes",
        )


class GoodIsBadError(UsageError):
    """The reproducer fails at the ref given as good: the bug was already there."""

    code = "good_is_bad"

    def __init__(self, ref: str, commit: str, evidence: str) -> None:
        self.ref = ref
        self.commit = commit
        self.evidence = evidence
        super().__init__(
            f"the bug already exists at --good {ref} ({commit[:12]}): the reproducer fails "
            f"there too\n{evidence}".rstrip(),
            hint="give an older --good ref, or leave it out to let Devora walk back until "
            "the reproducer passes",
        )


class NotAnAncestorError(UsageError):
    """The good commit is not in the history of the bad one."""

    code = "not_an_ancestor"

    def __init__(self, good: str, bad: str) -> None:
        self.good = good
        self.bad = bad
        super().__init__(
            f"--good {good} is not an ancestor of {bad}: there is no history between them",
            hint="give a --good commit from the history of the bad one (`git log` lists them)",
        )
