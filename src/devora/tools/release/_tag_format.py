"""Release tag formats such as ``v{version}``: rendering and recognising release tags."""

from __future__ import annotations

import re
from dataclasses import dataclass

from devora.tools.release._errors import (
    InvalidReleaseTagError,
    InvalidTagFormatError,
    InvalidVersionError,
)
from devora.tools.release._version import Version, parse_version

__all__ = ["DEFAULT_TAG_FORMAT", "TagFormat"]

DEFAULT_TAG_FORMAT = "v{version}"
_PLACEHOLDER = "{version}"


@dataclass(frozen=True)
class TagFormat:
    """How a version is spelled as a git tag: a prefix and suffix around ``{version}``."""

    pattern: str = DEFAULT_TAG_FORMAT

    def __post_init__(self) -> None:
        count = self.pattern.count(_PLACEHOLDER)
        if count != 1:
            raise InvalidTagFormatError(self.pattern, f"{_PLACEHOLDER} appears {count} times")
        if re.search(r"[\s~^:?*\[\\]", self.pattern) or ".." in self.pattern:
            raise InvalidTagFormatError(self.pattern, "contains characters git refuses in a tag")

    @property
    def prefix(self) -> str:
        """The text before ``{version}``."""
        return self.pattern.split(_PLACEHOLDER)[0]

    @property
    def suffix(self) -> str:
        """The text after ``{version}``."""
        return self.pattern.split(_PLACEHOLDER)[1]

    def render(self, version: Version) -> str:
        """The tag name for a version."""
        return f"{self.prefix}{version}{self.suffix}"

    def parse(self, tag: str) -> Version | None:
        """The version a release tag holds; None when the tag is not a release tag at all.

        A tag with the format's prefix and suffix around something starting with a digit
        (``v1.2``, ``v1.2.x``) is meant as a release tag; if it does not hold a valid
        version, that is an error rather than a tag to skip silently.
        """
        if not (tag.startswith(self.prefix) and tag.endswith(self.suffix)):
            return None
        if len(tag) < len(self.prefix) + len(self.suffix):
            return None
        middle = tag[len(self.prefix) : len(tag) - len(self.suffix)]
        if not middle[:1].isdigit():
            return None
        try:
            return parse_version(middle, source="tag")
        except InvalidVersionError as error:
            raise InvalidReleaseTagError(tag, self.pattern) from error
