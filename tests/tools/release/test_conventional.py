"""Conventional Commits parsing: header, scope, `!`, BREAKING CHANGE footers."""

from __future__ import annotations

import pytest

from devora.tools.release import Commit, parse_conventional, split_conventional


def commit(subject: str, body: str = "", parents: tuple[str, ...] = ("p",)) -> Commit:
    return Commit(hash="a" * 40, parents=parents, subject=subject, body=body)


def test_type_scope_and_description() -> None:
    parsed = parse_conventional(commit("feat(api): add the search endpoint"))
    assert parsed is not None
    assert (parsed.type, parsed.scope, parsed.description) == (
        "feat",
        "api",
        "add the search endpoint",
    )
    assert not parsed.breaking


def test_bang_is_breaking() -> None:
    parsed = parse_conventional(commit("refactor(core)!: drop Python 3.10"))
    assert parsed is not None
    assert parsed.breaking
    assert parsed.breaking_notes == ()


@pytest.mark.parametrize("token", ["BREAKING CHANGE", "BREAKING-CHANGE"])
def test_breaking_change_footer_with_continuation(token: str) -> None:
    body = (
        "Explain the change.\n\n"
        f"{token}: the config file moved\n"
        "  to ~/.config/devora.toml\n"
        "Reviewed-by: Ana\n"
        "Refs #42"
    )
    parsed = parse_conventional(commit("fix: read the new config location", body))
    assert parsed is not None
    assert parsed.breaking
    assert parsed.breaking_notes == ("the config file moved to ~/.config/devora.toml",)


def test_empty_breaking_footer_still_breaks() -> None:
    parsed = parse_conventional(commit("fix: x", "BREAKING CHANGE:"))
    assert parsed is not None
    assert parsed.breaking


def test_breaking_words_in_prose_do_not_break() -> None:
    parsed = parse_conventional(commit("fix: x", "This is not a BREAKING CHANGE: really."))
    assert parsed is not None
    assert not parsed.breaking


def test_type_is_case_insensitive() -> None:
    parsed = parse_conventional(commit("Feat: shout"))
    assert parsed is not None
    assert parsed.type == "feat"


@pytest.mark.parametrize(
    "subject",
    [
        "Update README.md",
        "WIP",
        "fix:no space after the colon",
        "fix: ",
        "(api): no type",
        "Merge branch 'hotfix' into main",
        'Revert "feat: search"',
        "feat(api: unbalanced",
    ],
)
def test_non_conventional_subjects(subject: str) -> None:
    assert parse_conventional(commit(subject)) is None


def test_split_keeps_the_commits_that_do_not_follow_the_convention() -> None:
    commits = [
        commit("feat: a"),
        commit("Tidy up"),
        commit("fix: b"),
        commit("Merge x", parents=("p", "q")),
    ]
    parsed, others = split_conventional(commits)
    assert [c.type for c in parsed] == ["feat", "fix"]
    assert [c.subject for c in others] == ["Tidy up", "Merge x"]
    assert others[1].is_merge


def test_feature_is_its_own_type_not_feat() -> None:
    # commitizen's bump map matches the prefix `^feat`, so it would count "feature:" as a
    # minor; Devora follows the convention, where the type is the whole word.
    parsed = parse_conventional(commit("feature: x"))
    assert parsed is not None
    assert parsed.type == "feature"
