"""Changelog sections: grouping, breaking changes first, prepending to CHANGELOG.md."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from devora.tools.release import (
    ChangelogError,
    Commit,
    prepend_changelog,
    render_changelog_section,
    split_conventional,
    write_changelog,
)

DATE = dt.date(2026, 11, 25)


def make(*messages: str) -> list[Commit]:
    out = []
    for index, message in enumerate(messages):
        subject, _, body = message.partition("\n\n")
        out.append(Commit(hash=f"{index:07d}" + "f" * 33, subject=subject, body=body))
    return out


def section(*messages: str) -> str:
    parsed, others = split_conventional(make(*messages))
    return render_changelog_section("2.0.0", DATE, parsed, non_conventional=others)


def test_section_groups_by_type_with_breaking_changes_first() -> None:
    text = section(
        "fix(api): handle empty ids",
        "docs: typo",
        "feat: search",
        "feat(cli)!: rename run to start",
        "chore(deps): bump httpx",
        "fix: read devora.toml\n\nBREAKING CHANGE: devora.ini is ignored",
        "Tidy up",
    )
    assert text == (
        "## 2.0.0 (2026-11-25)\n"
        "\n"
        "### ⚠ BREAKING CHANGES\n"
        "\n"
        "- **cli:** rename run to start (0000003)\n"
        "- devora.ini is ignored (0000005)\n"
        "\n"
        "### Features\n"
        "\n"
        "- search (0000002)\n"
        "- **cli:** rename run to start (0000003)\n"
        "\n"
        "### Bug Fixes\n"
        "\n"
        "- **api:** handle empty ids (0000000)\n"
        "- read devora.toml (0000005)\n"
        "\n"
        "### Documentation\n"
        "\n"
        "- typo (0000001)\n"
        "\n"
        "### Chores\n"
        "\n"
        "- **deps:** bump httpx (0000004)\n"
        "\n"
        "### Other Changes\n"
        "\n"
        "- Tidy up (0000006)\n"
    )


def test_unknown_types_come_after_known_ones() -> None:
    text = section("wip: half done", "fix: x")
    assert text.index("### Bug Fixes") < text.index("### Wip")


def test_prepend_to_an_empty_changelog_adds_a_title() -> None:
    assert prepend_changelog("", "## 1.0.0 (2026-11-25)\n\n- x\n") == (
        "# Changelog\n\n## 1.0.0 (2026-11-25)\n\n- x\n"
    )


def test_prepend_goes_below_the_preamble_and_above_the_newest_release() -> None:
    existing = "# Changelog\n\nAll notable changes.\n\n## 1.0.0 (2026-01-01)\n\n- first\n"
    updated = prepend_changelog(existing, "## 1.1.0 (2026-11-25)\n\n- second\n")
    assert updated == (
        "# Changelog\n\nAll notable changes.\n\n"
        "## 1.1.0 (2026-11-25)\n\n- second\n\n"
        "## 1.0.0 (2026-01-01)\n\n- first\n"
    )


def test_prepend_after_a_title_only() -> None:
    assert prepend_changelog("# Changes\n", "## 1.0.0 (d)\n") == "# Changes\n\n## 1.0.0 (d)\n"


def test_a_version_already_in_the_changelog_is_an_error() -> None:
    existing = "# Changelog\n\n## [1.1.0] - 2026-01-01\n\n- keep a changelog style\n"
    with pytest.raises(ChangelogError, match=r"already has a section for 1\.1\.0"):
        prepend_changelog(existing, "## 1.1.0 (2026-11-25)\n")
    # A longer version that merely starts the same way is not the same section.
    assert "## 1.1.0 (" in prepend_changelog("## 1.1.0-rc.1 (x)\n", "## 1.1.0 (2026-11-25)\n")


def test_write_changelog_creates_then_prepends(tmp_path: Path) -> None:
    path = tmp_path / "CHANGELOG.md"
    write_changelog(path, "## 1.0.0 (2026-01-01)\n\n- first\n")
    write_changelog(path, "## 1.1.0 (2026-11-25)\n\n- second\n")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n\n## 1.1.0")
    assert text.index("1.1.0") < text.index("1.0.0")
