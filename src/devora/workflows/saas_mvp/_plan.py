"""What a saas-mvp run would do, said without doing it (the dry-run's plan).

A dry-run generates nothing, so the steps after architecture have nothing to check: the
architecture step's plan lists them, and the deploy."""

from __future__ import annotations

from typing import Any

__all__ = ["CHECKS", "deploy_plan", "run_plan"]

CHECKS = {
    "database": "apply the migration on a fresh SQLite file (migration workflow, child run)",
    "database-postgresql": "apply the migration on a fresh PostgreSQL database (migration "
    "workflow, child run), then drop the database",
    "backend": "run the project's tests in its own environment; start it, check /health, "
    "sign up, create and read a row of each entity over HTTP",
    "frontend": "sign up, create and list in headless Chromium",
    "quality": "the quality gate as a child run, score >= {min_score}",
}


def deploy_plan(inputs: Any) -> str:
    """The deploy, in one line."""
    if not inputs.deploy:
        return "no deploy (--no-deploy)"
    if inputs.deploy_command:
        return f"after a devops approval, run: {' '.join(inputs.deploy_command)}"
    return f"start the app from {inputs.out} on a free local port and print its URL"


def run_plan(inputs: Any) -> list[str]:
    """Every check, then the deploy."""
    checks = [f"{step}: {text.format(min_score=inputs.min_score)}" for step, text in CHECKS.items()]
    enrich = (
        ["enrich: the backend squad's coding agent improves the project in a worktree; every "
         "check above runs again on it; merged only when all pass, else discarded"]
        if inputs.enrich else []
    )  # fmt: skip
    return [*checks, *enrich, f"deploy: {deploy_plan(inputs)}"]
