"""The checks the quality gate knows, and which of them apply to a project."""

from __future__ import annotations

from devora.tools.checks._assets import AssetBudget, AssetSizeCheck
from devora.tools.checks._bandit import BanditCheck
from devora.tools.checks._base import Check
from devora.tools.checks._eslint import EslintCheck
from devora.tools.checks._mypy import MypyCheck
from devora.tools.checks._npm import NpmAuditCheck, NpmTestCheck
from devora.tools.checks._pip_audit import PipAuditCheck
from devora.tools.checks._prettier import PrettierCheck
from devora.tools.checks._profile import ProjectProfile
from devora.tools.checks._pytest import PytestCheck
from devora.tools.checks._ruff import RuffCheck, RuffFormatCheck
from devora.tools.checks._tsc import TscCheck

__all__ = ["all_checks", "checks_for"]


def all_checks(budgets: tuple[AssetBudget, ...] = ()) -> list[Check]:
    """One instance of every check, in a stable order."""
    return [
        RuffCheck(),
        RuffFormatCheck(),
        MypyCheck(),
        PytestCheck(),
        BanditCheck(),
        PipAuditCheck(),
        EslintCheck(),
        TscCheck(),
        PrettierCheck(),
        NpmTestCheck(),
        NpmAuditCheck(),
        AssetSizeCheck(budgets),
    ]


def checks_for(profile: ProjectProfile, budgets: tuple[AssetBudget, ...] = ()) -> list[Check]:
    """The checks that apply to the project (a missing tool still applies: it is not_run)."""
    return [check for check in all_checks(budgets) if check.applies_to(profile)]
