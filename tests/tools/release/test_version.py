"""Semantic versions: strict parsing and SemVer 2.0.0 precedence."""

from __future__ import annotations

import pytest

from devora.tools.release import InvalidVersionError, Version, parse_version


@pytest.mark.parametrize(
    "text",
    ["0.0.0", "1.2.3", "10.20.30", "1.0.0-rc.1", "1.0.0-alpha.beta.1", "1.0.0+build.5", "2.0.0-0"],
)
def test_valid_versions_round_trip(text: str) -> None:
    assert str(parse_version(text)) == text


@pytest.mark.parametrize(
    "text", ["1.2", "v1.2.3", "01.2.3", "1.2.3-", "1.2.3-rc..1", "1.2.3-01", "1.2.x", "", "a.b.c"]
)
def test_invalid_versions_are_errors_naming_the_text(text: str) -> None:
    with pytest.raises(InvalidVersionError) as caught:
        parse_version(text, source="tag")
    assert repr(text) in caught.value.message
    assert caught.value.hint


def test_precedence_follows_semver_spec_example() -> None:
    # The ordering example of semver.org, item 11.
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.1.0",
        "2.0.0",
    ]
    versions = [parse_version(text) for text in ordered]
    assert sorted(reversed(versions)) == versions


def test_build_metadata_does_not_change_precedence() -> None:
    assert parse_version("1.0.0+a") == parse_version("1.0.0+b")
    assert not parse_version("1.0.0+a") < parse_version("1.0.0")


def test_base_and_prerelease() -> None:
    version = parse_version("1.4.0-rc.2")
    assert version.is_prerelease
    assert version.base == Version(1, 4, 0)
    assert not version.base.is_prerelease
