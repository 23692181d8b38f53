"""Semantic versions: parsing, printing and SemVer 2.0.0 precedence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import total_ordering

from devora.tools.release._errors import InvalidVersionError

__all__ = ["Version", "parse_version"]

_NUMBER = r"0|[1-9]\d*"
_IDENT = r"[0-9A-Za-z-]+"
_VERSION = re.compile(
    rf"(?P<major>{_NUMBER})\.(?P<minor>{_NUMBER})\.(?P<patch>{_NUMBER})"
    rf"(?:-(?P<pre>{_IDENT}(?:\.{_IDENT})*))?"
    rf"(?:\+(?P<build>{_IDENT}(?:\.{_IDENT})*))?"
)


@total_ordering
@dataclass(frozen=True)
class Version:
    """A semantic version; ordered by SemVer precedence (build metadata ignored)."""

    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: tuple[str, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    @property
    def is_prerelease(self) -> bool:
        """True for versions such as 1.2.0-rc.1."""
        return bool(self.prerelease)

    @property
    def base(self) -> Version:
        """The release this version leads to (1.2.0 for 1.2.0-rc.1)."""
        return Version(self.major, self.minor, self.patch)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        mine = (self.major, self.minor, self.patch)
        theirs = (other.major, other.minor, other.patch)
        if mine != theirs:
            return mine < theirs
        if not self.prerelease or not other.prerelease:
            # A pre-release comes before its release; two releases are equal.
            return bool(self.prerelease) and not other.prerelease
        return _prerelease_key(self.prerelease) < _prerelease_key(other.prerelease)


def _prerelease_key(parts: tuple[str, ...]) -> list[tuple[int, int, str]]:
    # SemVer 11.4: numeric identifiers sort numerically and before alphanumeric ones;
    # a longer list wins when all shared identifiers are equal (list comparison does it).
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts]


def parse_version(text: str, *, source: str = "version") -> Version:
    """Parse MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]; raise InvalidVersionError otherwise."""
    match = _VERSION.fullmatch(text.strip())
    if match is None:
        raise InvalidVersionError(text, source=source)
    pre = match["pre"]
    prerelease = tuple(pre.split(".")) if pre else ()
    if any(p.isdigit() and len(p) > 1 and p.startswith("0") for p in prerelease):
        raise InvalidVersionError(text, source=source)
    build = match["build"]
    return Version(
        int(match["major"]),
        int(match["minor"]),
        int(match["patch"]),
        prerelease,
        tuple(build.split(".")) if build else (),
    )
