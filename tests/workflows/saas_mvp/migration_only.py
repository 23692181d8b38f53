"""saas-mvp's PostgreSQL migration check alone, then a tool started after it (run by file
reference from test_migration_secret.py): what that later subprocess inherits."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from devora.engine import Step, StepContext, Workflow
from devora.secrets import url_password
from devora.tools import run_process
from devora.workflows.saas_mvp import saas_mvp

KEPT = ("requirements", "spec-review", "architecture", "database-postgresql")
PRINT_ENVIRONMENT = "import json, os; print(json.dumps(dict(os.environ)))"


async def later_tool(ctx: StepContext[Any]) -> dict[str, list[str]]:
    """What a subprocess Devora starts after the migration child run inherits: its
    variables' names, and those holding the server's password (the output is stored
    redacted, so the step looks for the password itself)."""
    done = await run_process([sys.executable, "-c", PRINT_ENVIRONMENT], cwd=ctx.home, time_limit=60)
    environment: dict[str, str] = json.loads(done.stdout)
    password = url_password(os.environ["DEVORA_SAAS_POSTGRES_URL"])
    assert password, "the test runs with a password in $DEVORA_SAAS_POSTGRES_URL"
    holding = sorted(name for name, value in environment.items() if password in value)
    return {"names": sorted(environment), "holding": holding}


migration_only = Workflow(
    name="saas-mvp-migration-only",
    steps=[
        *(step for step in saas_mvp.steps if step.id in KEPT),
        Step("later-tool", later_tool, squad="qa", needs=["database-postgresql"]),
    ],
    inputs=saas_mvp.inputs,
    outputs=lambda ctx: {},
    preflight=saas_mvp.preflight,
)
