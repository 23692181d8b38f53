"""The package's public API: one sorted __all__, every name importable, every check listed."""

from __future__ import annotations

import devora.tools.checks as checks
from devora.tools.checks import Check, ToolCheck, all_checks


def test_all_is_sorted_and_complete() -> None:
    assert checks.__all__ == sorted(checks.__all__, key=lambda name: (not name.isupper(), name))
    for name in checks.__all__:
        assert hasattr(checks, name), name


def test_every_check_has_a_unique_name_and_install_hint() -> None:
    instances = all_checks()
    names = [check.name for check in instances]
    assert len(names) == len(set(names))
    for check in instances:
        assert isinstance(check, Check)
        assert check.tool and check.install
    tools = {check.tool for check in instances if isinstance(check, ToolCheck)}
    assert tools == {
        "ruff",
        "mypy",
        "pytest",
        "bandit",
        "pip-audit",
        "eslint",
        "tsc",
        "prettier",
        "npm",
    }
