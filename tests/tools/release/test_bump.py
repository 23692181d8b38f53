"""Next-version computation (the commitizen oracle lives in test_bump_oracle.py)."""

from __future__ import annotations

import pytest

from devora.tools.release import (
    BumpRules,
    Commit,
    ConflictingVersionOptionsError,
    Increment,
    InvalidVersionError,
    NoBumpWorthyCommitsError,
    NoCommitsSinceTagError,
    Prerelease,
    VersionNotIncreasingError,
    bump_version,
    compute_next_version,
    parse_version,
)


def commits(*messages: str) -> list[Commit]:
    result = []
    for index, message in enumerate(messages):
        subject, _, body = message.partition("\n\n")
        result.append(Commit(hash=f"{index:040d}", parents=("p",), subject=subject, body=body))
    return result


V = parse_version


def test_highest_increment_wins_and_reason_names_the_commit() -> None:
    result = compute_next_version(
        commits("fix: a", "feat(ui): b", "docs: c"), current=V("1.2.3"), last_tag="v1.2.3"
    )
    assert result.version == "1.3.0"
    assert result.increment is Increment.MINOR
    assert result.previous == "1.2.3"
    assert "feat(ui): b" in result.reason
    assert [c.type for c in result.commits] == ["fix", "feat", "docs"]


def test_non_conventional_commits_are_returned() -> None:
    result = compute_next_version(commits("fix: a", "oops", "WIP"), current=V("1.0.0"))
    assert result.version == "1.0.1"
    assert [c.subject for c in result.non_conventional] == ["oops", "WIP"]


def test_first_release() -> None:
    result = compute_next_version(commits("feat: a"), current=None)
    assert result.is_first_release
    assert result.version == "0.1.0"


def test_no_commits_is_an_error_naming_the_tag() -> None:
    with pytest.raises(NoCommitsSinceTagError) as caught:
        compute_next_version([], current=V("1.0.0"), last_tag="v1.0.0")
    assert "since tag v1.0.0" in caught.value.message


def test_no_commits_in_a_new_repository() -> None:
    with pytest.raises(NoCommitsSinceTagError, match="in the repository"):
        compute_next_version([], current=None)


def test_no_bump_worthy_commits_lists_the_types_found() -> None:
    with pytest.raises(NoBumpWorthyCommitsError) as caught:
        compute_next_version(
            commits("docs: a", "chore: b", "Tidy"), current=V("1.0.0"), last_tag="v1.0.0"
        )
    assert caught.value.types == ["chore", "docs"]
    assert caught.value.commit_count == 3
    assert "--increment" in (caught.value.hint or "")


def test_increment_override_needs_no_bump_worthy_commit() -> None:
    result = compute_next_version(commits("docs: a"), current=V("1.0.0"), increment=Increment.PATCH)
    assert result.version == "1.0.1"
    assert result.reason == "--increment PATCH"


def test_explicit_version_must_increase() -> None:
    with pytest.raises(VersionNotIncreasingError, match=r"1\.0\.0 is not greater than .* 1\.0\.0"):
        compute_next_version(commits("fix: a"), current=V("1.0.0"), version="1.0.0")
    with pytest.raises(InvalidVersionError):
        compute_next_version(commits("fix: a"), current=V("1.0.0"), version="2.0")


def test_custom_rules() -> None:
    rules = BumpRules(patch_types=("fix",), minor_types=("feat", "perf"))
    result = compute_next_version(commits("perf: a"), current=V("1.0.0"), rules=rules)
    assert result.version == "1.1.0"
    with pytest.raises(NoBumpWorthyCommitsError):
        compute_next_version(commits("refactor: a"), current=V("1.0.0"), rules=rules)


def test_major_version_zero_only_applies_to_0x() -> None:
    rules = BumpRules(major_version_zero=True)
    assert (
        compute_next_version(commits("fix!: a"), current=V("0.3.0"), rules=rules).version == "0.4.0"
    )
    assert (
        compute_next_version(commits("fix!: a"), current=V("1.3.0"), rules=rules).version == "2.0.0"
    )


@pytest.mark.parametrize(
    ("current", "increment", "prerelease", "expected"),
    [
        ("1.2.3", Increment.PATCH, None, "1.2.4"),
        ("1.2.3", Increment.MINOR, None, "1.3.0"),
        ("1.2.3", Increment.MAJOR, None, "2.0.0"),
        ("1.2.3", Increment.MINOR, Prerelease.RC, "1.3.0-rc.0"),
        ("1.3.0-rc.0", Increment.PATCH, Prerelease.RC, "1.3.0-rc.1"),
        ("1.3.0-rc.0", Increment.MINOR, Prerelease.RC, "1.3.0-rc.1"),
        ("1.3.0-rc.0", Increment.MAJOR, Prerelease.RC, "2.0.0-rc.0"),
        ("1.3.1-rc.0", Increment.MINOR, Prerelease.RC, "1.4.0-rc.0"),
        ("1.3.0-beta.2", Increment.PATCH, Prerelease.RC, "1.3.0-rc.0"),
        ("1.3.0-rc.2", Increment.PATCH, Prerelease.BETA, "1.3.0-rc.3"),
        ("1.3.0-rc.2", Increment.PATCH, None, "1.3.0"),
        ("1.3.0-rc.2", None, None, "1.3.0"),
        ("2.0.0-rc.1", Increment.MAJOR, None, "2.0.0"),
    ],
)
def test_bump_version_table(
    current: str, increment: Increment | None, prerelease: Prerelease | None, expected: str
) -> None:
    assert str(bump_version(V(current), increment, prerelease)) == expected


def test_explicit_version_cannot_be_combined_with_computed_options() -> None:
    with pytest.raises(ConflictingVersionOptionsError) as caught:
        compute_next_version(
            commits("fix: a"),
            current=V("1.0.0"),
            version="2.0.0",
            increment=Increment.MAJOR,
            prerelease=Prerelease.RC,
        )
    assert caught.value.message == (
        "--version 2.0.0 cannot be combined with --increment and --prerelease"
    )
