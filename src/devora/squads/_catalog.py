"""The eight squads Devora ships with, their agents and the prompts of their LLM agents."""

from __future__ import annotations

from devora.squads._model import Agent, Backend, Squad

__all__ = ["SQUAD_CATALOG"]

_SHARED_RULES = (
    "Work only from the material given to you; when it is not enough, say what is missing "
    "instead of guessing. Never invent file names, numbers, test results or versions. "
    "Answer with exactly the JSON object the task asks for."
)


def _llm(key: str, role: str, description: str, focus: str, tools: tuple[str, ...] = ()) -> Agent:
    prompt = f"You are the {role} of a software team. {focus} {_SHARED_RULES}"
    return Agent(
        key=key, role=role, description=description, backend=Backend.LLM, tools=tools, prompt=prompt
    )


def _tool(key: str, role: str, description: str, tools: tuple[str, ...]) -> Agent:
    return Agent(key=key, role=role, description=description, backend=Backend.TOOL, tools=tools)


def _human(key: str, role: str, description: str) -> Agent:
    return Agent(key=key, role=role, description=description, backend=Backend.HUMAN)


SQUAD_CATALOG: tuple[Squad, ...] = (
    Squad(
        name="business",
        description="What to build and why: requirements, priorities, acceptance.",
        agents=(
            _llm(
                "product-manager",
                "product manager",
                "Turns a request into a scoped feature with acceptance criteria.",
                "You write user stories with clear, testable acceptance criteria and you cut "
                "scope to what can ship first.",
            ),
            _llm(
                "business-analyst",
                "business analyst",
                "Finds the rules, edge cases and data a feature needs.",
                "You list business rules, edge cases and the data each rule needs, and flag "
                "contradictions in a request.",
            ),
        ),
    ),
    Squad(
        name="frontend",
        description="What users see: pages, components, accessibility, assets.",
        agents=(
            _llm(
                "frontend-developer",
                "frontend developer",
                "Writes and fixes UI code (TypeScript, CSS) in a worktree.",
                "You write small, typed, accessible UI changes and keep bundles small.",
                ("list_files", "read_file", "search", "write_file", "run_command"),
            ),
            _llm(
                "ui-ux-designer",
                "UI/UX designer",
                "Reviews flows and layouts for clarity and accessibility.",
                "You review screens for clarity, consistency and WCAG accessibility, and "
                "propose concrete changes.",
            ),
        ),
    ),
    Squad(
        name="backend",
        description="Services and APIs: code, contracts, architecture.",
        agents=(
            _llm(
                "api-developer",
                "API developer",
                "Writes and fixes service code and its tests in a worktree.",
                "You make minimal, well-tested changes to service code and keep API "
                "contracts backward compatible unless told otherwise.",
                ("list_files", "read_file", "search", "write_file", "run_command"),
            ),
            _llm(
                "architect",
                "software architect",
                "Weighs designs, boundaries and trade-offs.",
                "You compare designs by their trade-offs (coupling, failure modes, cost of "
                "change) and recommend one with its reasons.",
            ),
        ),
    ),
    Squad(
        name="data",
        description="Databases and data: schema, migrations, backups.",
        agents=(
            _tool(
                "database-engineer",
                "database engineer",
                "Analyzes, backs up, dry-runs and applies migrations.",
                ("alembic", "pg_dump", "sqlite3"),
            ),
        ),
    ),
    Squad(
        name="devops",
        description="Delivery and operations: releases, deploys, incidents.",
        agents=(
            _tool(
                "deployment-engineer",
                "deployment engineer",
                "Versions, tags, publishes and deploys.",
                ("git",),
            ),
            _llm(
                "sre",
                "site reliability engineer",
                "Triages incidents and drafts blameless postmortems.",
                "You triage incidents from signals and timelines, propose the least risky "
                "mitigation first, and write blameless postmortems.",
            ),
        ),
    ),
    Squad(
        name="qa",
        description="Quality: tests, reviews, security.",
        agents=(
            _tool(
                "test-engineer",
                "test engineer",
                "Runs type checks, linters, tests and coverage.",
                ("ruff", "mypy", "pytest", "coverage", "eslint", "tsc", "prettier", "npm"),
            ),
            _llm(
                "code-reviewer",
                "code reviewer",
                "Reviews changes and fixes what the tools cannot.",
                "You review diffs for correctness, readability and missing tests, and fix "
                "type and lint errors with the smallest change that keeps tests passing.",
                ("list_files", "read_file", "search", "write_file", "run_command"),
            ),
            _tool(
                "security-reviewer",
                "security reviewer",
                "Scans code and dependencies for vulnerabilities.",
                ("bandit", "pip-audit", "npm"),
            ),
        ),
    ),
    Squad(
        name="performance",
        description="Speed and capacity: audits, load tests, plans.",
        agents=(
            _tool(
                "performance-engineer",
                "performance engineer",
                "Profiles pages and endpoints and compares them with budgets.",
                ("lighthouse", "chromium"),
            ),
            _tool(
                "load-tester",
                "load tester",
                "Runs staged load tests and finds where a service breaks.",
                ("locust",),
            ),
        ),
    ),
    Squad(
        name="documentation",
        description="What people read: changelogs, docs, postmortems.",
        agents=(
            _llm(
                "technical-writer",
                "technical writer",
                "Writes changelogs, docs and postmortem narratives.",
                "You write short, accurate, plain-language documentation for developers, "
                "and you keep what the material says, nothing more.",
            ),
            _human(
                "reviewer",
                "documentation reviewer",
                "Approves what is published.",
            ),
        ),
    ),
)
