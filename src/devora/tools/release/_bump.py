"""The next version from Conventional Commits, with commitizen's rules (linear mode).

fix/perf/refactor -> patch, feat -> minor, ``!`` or a BREAKING CHANGE footer -> major.
With ``major_version_zero`` a 0.x project stays 0.x: breaking changes bump the minor.
Pre-releases (``--prerelease rc``) count up within their phase (1.2.0-rc.0, 1.2.0-rc.1)
and a release without ``--prerelease`` after a pre-release finalises it (1.2.0).
``major_version_zero`` is python-semantic-release's ``major_on_zero = false``.

Where Devora follows the Conventional Commits spec rather than commitizen's regexes:
a type is a whole word (commitizen's ``^feat`` also matches ``feature:``), a description
needs ``": "`` (commitizen accepts ``fix:x``), types are case-insensitive, and only the
subject line and BREAKING CHANGE footers count (commitizen scans every body line for
``type:``). tests/tools/release/histories.yaml holds the histories both must agree on.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from devora.tools.release._commits import Commit
from devora.tools.release._conventional import ConventionalCommit, split_conventional
from devora.tools.release._errors import (
    ConflictingVersionOptionsError,
    NoBumpWorthyCommitsError,
    NoCommitsSinceTagError,
    VersionNotIncreasingError,
)
from devora.tools.release._version import Version, parse_version

__all__ = ["BumpRules", "Increment", "NextVersion", "Prerelease", "compute_next_version"]


class Increment(StrEnum):
    """Which part of the version a release increments."""

    PATCH = "PATCH"
    MINOR = "MINOR"
    MAJOR = "MAJOR"

    @property
    def rank(self) -> int:
        """PATCH < MINOR < MAJOR."""
        return {"PATCH": 1, "MINOR": 2, "MAJOR": 3}[self.value]


class Prerelease(StrEnum):
    """Pre-release phases, in precedence order."""

    ALPHA = "alpha"
    BETA = "beta"
    RC = "rc"


# Phases compare as PEP 440 spells them (a < b < rc), as commitizen compares them.
_PHASE_KEY = {Prerelease.ALPHA: "a", Prerelease.BETA: "b", Prerelease.RC: "rc"}
_PHASE_NAMES = {"alpha": Prerelease.ALPHA, "a": Prerelease.ALPHA, "beta": Prerelease.BETA}
_PHASE_NAMES |= {"b": Prerelease.BETA, "rc": Prerelease.RC}


class BumpRules(BaseModel):
    """Which commit types bump what; commitizen's defaults."""

    model_config = ConfigDict(frozen=True)

    minor_types: tuple[str, ...] = ("feat",)
    patch_types: tuple[str, ...] = ("fix", "perf", "refactor")
    major_version_zero: bool = False

    def increment_for(self, commit: ConventionalCommit, current: Version) -> Increment | None:
        """The increment one commit calls for, or None."""
        if commit.breaking:
            if self.major_version_zero and current.major == 0:
                return Increment.MINOR
            return Increment.MAJOR
        if commit.type in self.minor_types:
            return Increment.MINOR
        if commit.type in self.patch_types:
            return Increment.PATCH
        return None


class NextVersion(BaseModel):
    """The computed next version and the commits it was computed from."""

    model_config = ConfigDict(frozen=True)

    previous: str | None
    version: str
    increment: Increment | None
    reason: str
    commits: tuple[ConventionalCommit, ...] = ()
    non_conventional: tuple[Commit, ...] = ()

    @property
    def is_first_release(self) -> bool:
        """True when no release tag existed before."""
        return self.previous is None


def compute_next_version(
    commits: Sequence[Commit],
    *,
    current: Version | None,
    last_tag: str | None = None,
    rules: BumpRules | None = None,
    increment: Increment | None = None,
    prerelease: Prerelease | None = None,
    version: str | None = None,
) -> NextVersion:
    """The next version after ``current`` (None: no release yet, counted from 0.0.0)."""
    rules = rules or BumpRules()
    conventional, others = split_conventional(commits)
    previous = str(current) if current is not None else None
    start = current or Version(0, 0, 0)

    def result(new: Version, chosen: Increment | None, reason: str) -> NextVersion:
        return NextVersion(
            previous=previous,
            version=str(new),
            increment=chosen,
            reason=reason,
            commits=tuple(conventional),
            non_conventional=tuple(others),
        )

    if version is not None:
        conflicts = [
            option
            for option, value in (("--increment", increment), ("--prerelease", prerelease))
            if value is not None
        ]
        if conflicts:
            raise ConflictingVersionOptionsError(version, conflicts)
        requested = parse_version(version, source="requested version")
        if current is not None and requested <= current:
            raise VersionNotIncreasingError(str(requested), str(current))
        return result(requested, None, f"version {requested} given explicitly")

    reason = f"--increment {increment}" if increment is not None else ""
    if increment is None:
        # Without commits, only finishing a pre-release (1.2.0-rc.1 -> 1.2.0) is a release.
        if not commits and not start.is_prerelease:
            raise NoCommitsSinceTagError(last_tag)
        increment, reason = _detect_increment(conventional, rules, start)
    if increment is None and prerelease is not None and not start.is_prerelease:
        raise NoBumpWorthyCommitsError(last_tag, len(commits), [c.type for c in conventional])
    new = bump_version(start, increment, prerelease)
    if increment is None and str(new) == str(start):
        raise NoBumpWorthyCommitsError(last_tag, len(commits), [c.type for c in conventional])
    if increment is None:
        reason = f"finishes pre-release {start}" if prerelease is None else "next pre-release"
    return result(new, increment, reason)


def _detect_increment(
    commits: Sequence[ConventionalCommit], rules: BumpRules, current: Version
) -> tuple[Increment | None, str]:
    best: Increment | None = None
    because: ConventionalCommit | None = None
    for commit in commits:
        found = rules.increment_for(commit, current)
        if found is not None and (best is None or found.rank > best.rank):
            best, because = found, commit
    if best is None or because is None:
        return None, ""
    kind = "breaking change" if because.breaking else because.type
    return best, f"{kind} in {because.commit.short_hash}: {because.commit.subject}"


def bump_version(
    current: Version, increment: Increment | None, prerelease: Prerelease | None = None
) -> Version:
    """Apply an increment and an optional pre-release phase the way commitizen does."""
    base = current.base
    if increment is not None and (
        not current.is_prerelease
        # From 1.2.1-rc.0 a minor is a new minor; from 1.2.0-rc.0 it is that pre-release's.
        or (increment is Increment.MINOR and current.patch != 0)
        or (increment is Increment.MAJOR and (current.minor != 0 or current.patch != 0))
    ):
        base = _increment(base, increment)
    if prerelease is None:
        return base
    phase, number = prerelease, 0
    if base == current.base and (current_phase := _phase_of(current)) is not None:
        held, held_number = current_phase
        # Never go back a phase (rc.1 then --prerelease beta stays rc).
        if _PHASE_KEY[held] > _PHASE_KEY[phase]:
            phase = held
        if phase is held:
            number = held_number + 1
    return Version(base.major, base.minor, base.patch, (phase.value, str(number)))


def _increment(version: Version, increment: Increment) -> Version:
    if increment is Increment.MAJOR:
        return Version(version.major + 1, 0, 0)
    if increment is Increment.MINOR:
        return Version(version.major, version.minor + 1, 0)
    return Version(version.major, version.minor, version.patch + 1)


def _phase_of(version: Version) -> tuple[Prerelease, int] | None:
    """The phase and number of 1.2.0-rc.3 (rc, 3); None for other pre-release shapes."""
    parts = version.prerelease
    if len(parts) == 2 and parts[0].lower() in _PHASE_NAMES and parts[1].isdigit():
        return _PHASE_NAMES[parts[0].lower()], int(parts[1])
    return None
