"""Release tag formats: rendering, recognising, and refusing malformed release tags."""

from __future__ import annotations

import pytest

from devora.tools.release import (
    InvalidReleaseTagError,
    InvalidTagFormatError,
    TagFormat,
    parse_version,
)


def test_default_format_renders_and_parses() -> None:
    fmt = TagFormat()
    assert fmt.render(parse_version("1.2.3-rc.0")) == "v1.2.3-rc.0"
    assert fmt.parse("v1.2.3-rc.0") == parse_version("1.2.3-rc.0")


def test_prefix_and_suffix() -> None:
    fmt = TagFormat("pkg-{version}-final")
    assert fmt.render(parse_version("2.0.0")) == "pkg-2.0.0-final"
    assert fmt.parse("pkg-2.0.0-final") == parse_version("2.0.0")
    assert fmt.parse("pkg-2.0.0") is None


@pytest.mark.parametrize("tag", ["vendor-drop", "latest", "release-1.0.0", "v", "very-old"])
def test_tags_that_are_not_release_tags_are_skipped(tag: str) -> None:
    assert TagFormat("v{version}").parse(tag) is None


@pytest.mark.parametrize("tag", ["v1.2", "v1.2.x", "v01.2.3", "v1.2.3.4"])
def test_tag_shaped_like_a_release_but_invalid_is_an_error_naming_it(tag: str) -> None:
    with pytest.raises(InvalidReleaseTagError) as caught:
        TagFormat("v{version}").parse(tag)
    assert caught.value.tag == tag
    assert repr(tag) in caught.value.message
    assert f"git tag -d {tag}" in (caught.value.hint or "")


@pytest.mark.parametrize("pattern", ["v", "{version}-{version}", "v {version}", "a..{version}"])
def test_invalid_formats_are_refused(pattern: str) -> None:
    with pytest.raises(InvalidTagFormatError):
        TagFormat(pattern)
