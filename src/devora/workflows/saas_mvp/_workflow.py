"""SaaS MVP: requirements → architecture → database → backend → frontend → deploy.

    requirements (business)  the product spec: from --spec, or written from --idea by the
                             business agent (or a person)
    spec-review (business)   a person approves or edits the spec the agent wrote
    architecture (backend)   the stack, and the project generated from the spec into --out
    database (data)          the Alembic migration on a fresh SQLite (migration child run)
    database-postgresql (data)  ... and on a fresh PostgreSQL database, dropped afterwards
    backend (backend)        the project's tests in its own environment; the app starts,
                             answers /health and does a create/read round-trip over HTTP
    frontend (frontend)      sign up → create → list in headless Chromium
    quality (qa)             the quality gate as a child run, score >= --min-score
    enrich (backend), enrich-* (data, backend, frontend, qa), enrich-merge (qa)
                             with --enrich only: the coding agent's change in a worktree,
                             every check above again on it, merged only when all pass
    deploy (devops)          the configured command after an approval; by default, the app
                             started here, its URL and how to stop it printed (stopped
                             when the run is rolled back)
    report (qa)              report.md with every verification and its evidence

The qa squad's checks run inside the steps that own what they check; any that does not
pass fails the run, with its evidence. After architecture, the checks run up to four at
a time (database, database-postgresql, backend and frontend, which share the environment
the first of them builds; then quality, which reuses backend's tests and pip-audit);
deploy waits for all of them, and for the enrichment when there is one.
"""

from __future__ import annotations

from typing import Any

from devora.engine import Step, Workflow
from devora.squads import CodeChange
from devora.workflows import register_command_line
from devora.workflows.saas_mvp._architecture import generate_architecture, plan_architecture
from devora.workflows.saas_mvp._deploy import deploy, plan_deploy, undeploy, will_deploy
from devora.workflows.saas_mvp._enrich import (
    enrich_project,
    enriched_backend_passed,
    merge_enrichment,
    plan_enrichment,
    verify_enriched_backend,
    verify_enriched_frontend,
    verify_enriched_postgresql,
    verify_enriched_quality,
    verify_enriched_sqlite,
    wants_enrichment,
)
from devora.workflows.saas_mvp._inputs import SaasMvpInputs, preflight_saas_mvp
from devora.workflows.saas_mvp._records import Architecture, Deployment, Enrichment, Verified
from devora.workflows.saas_mvp._report import (
    plan_report,
    present_saas_mvp,
    saas_outputs,
    write_report,
)
from devora.workflows.saas_mvp._requirements import (
    Requirements,
    gather_requirements,
    review_spec,
    wants_review,
)
from devora.workflows.saas_mvp._verify_steps import (
    plan_verification,
    verify_backend,
    verify_frontend,
    verify_postgresql,
    verify_quality_gate,
    verify_sqlite,
)

__all__ = ["saas_mvp", "saas_mvp_steps"]

VERIFY_TIMEOUT = 1800

requirements_step: Step[Requirements] = Step("requirements", gather_requirements, squad="business")
review_step: Step[Requirements] = Step(
    "spec-review", review_spec, squad="business", needs=[requirements_step], when=wants_review
)
architecture_step: Step[Architecture] = Step(
    "architecture",
    generate_architecture,
    squad="backend",
    needs=[requirements_step, review_step],
    side_effects=True,
    plan=plan_architecture,
)

database_step: Step[Verified] = Step(
    "database",
    verify_sqlite,
    squad="data",
    needs=[architecture_step],
    side_effects=True,  # a database file and a child run
    plan=plan_verification,
    timeout=VERIFY_TIMEOUT,
)
postgresql_step: Step[Verified] = Step(
    "database-postgresql",
    verify_postgresql,
    squad="data",
    needs=[architecture_step],
    side_effects=True,  # a database created and dropped, a child run
    plan=plan_verification,
    timeout=VERIFY_TIMEOUT,
)
backend_step: Step[Verified] = Step(
    "backend",
    verify_backend,
    squad="backend",
    needs=[architecture_step],
    side_effects=True,  # an environment built, the app started
    plan=plan_verification,
    timeout=VERIFY_TIMEOUT,
)
frontend_step: Step[Verified] = Step(
    "frontend",
    verify_frontend,
    squad="frontend",
    needs=[architecture_step],  # beside backend: the environment is built once (file lock)
    side_effects=True,  # the app started, a browser driven
    plan=plan_verification,
    timeout=VERIFY_TIMEOUT,
)
quality_step: Step[Verified] = Step(
    "quality",
    verify_quality_gate,
    squad="qa",
    needs=[backend_step],  # after the project's own tests: their evidence names the test
    side_effects=True,  # a child run
    plan=plan_verification,
    timeout=VERIFY_TIMEOUT,
)
verified_steps = [database_step, postgresql_step, frontend_step, quality_step]
# Opt-in: the agents' change, checked again as above, but a failure discards it (not fatal).
enrich_step: Step[CodeChange] = Step(
    "enrich",
    enrich_project,
    squad="backend",
    needs=verified_steps,  # the project as generated passed every check first
    when=wants_enrichment,
    side_effects=True,  # a git branch and worktree
    plan=plan_enrichment,
    timeout=VERIFY_TIMEOUT,
)


def _enrich_check(
    step_id: str, action: Any, squad: str, after: Step[Any], when: Any = None
) -> Step[Verified]:
    return Step(step_id, action, squad=squad, needs=[after], side_effects=True, when=when,
                plan=plan_enrichment, timeout=VERIFY_TIMEOUT)  # fmt: skip


enrich_sqlite_step = _enrich_check("enrich-database", verify_enriched_sqlite, "data", enrich_step)
enrich_postgresql_step = _enrich_check(
    "enrich-database-postgresql", verify_enriched_postgresql, "data", enrich_step
)
enrich_backend_step = _enrich_check(
    "enrich-backend", verify_enriched_backend, "backend", enrich_step
)
enrich_frontend_step = _enrich_check(
    "enrich-frontend",
    verify_enriched_frontend,
    "frontend",
    enrich_backend_step,
    enriched_backend_passed,
)
enrich_quality_step = _enrich_check(
    "enrich-quality", verify_enriched_quality, "qa", enrich_backend_step, enriched_backend_passed
)
merge_step: Step[Enrichment] = Step(
    "enrich-merge",
    merge_enrichment,
    squad="qa",
    needs=[enrich_sqlite_step, enrich_postgresql_step, enrich_frontend_step, enrich_quality_step],
    side_effects=True,  # the project's branch moves, or the change is deleted
    plan=plan_enrichment,
)
deploy_step: Step[Deployment] = Step(
    "deploy",
    deploy,
    squad="devops",
    needs=[*verified_steps, merge_step],
    when=will_deploy,
    side_effects=True,
    plan=plan_deploy,
    compensate=undeploy,  # a run rolled back stops the app it started
    timeout=VERIFY_TIMEOUT,
)
report_step: Step[str] = Step(
    "report",
    write_report,
    squad="qa",
    needs=[*verified_steps, merge_step, deploy_step],
    side_effects=True,  # an artifact; a dry-run has nothing to report
    plan=plan_report,
)

saas_mvp_steps = (
    requirements_step,
    review_step,
    architecture_step,
    database_step,
    postgresql_step,
    backend_step,
    frontend_step,
    quality_step,
    enrich_step,
    enrich_sqlite_step,
    enrich_postgresql_step,
    enrich_backend_step,
    enrich_frontend_step,
    enrich_quality_step,
    merge_step,
    deploy_step,
    report_step,
)

saas_mvp = Workflow(
    name="saas-mvp",
    description="A product spec (or an idea) to a generated FastAPI project, verified: its "
    "tests, migrations, HTTP, browser and quality gate; then deployed.",
    steps=saas_mvp_steps,
    inputs=SaasMvpInputs,
    outputs=saas_outputs,
    concurrency=4,
    preflight=preflight_saas_mvp,
)
register_command_line(saas_mvp, present=present_saas_mvp)
