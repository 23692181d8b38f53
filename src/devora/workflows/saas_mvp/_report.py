"""The run's report (report.md, an artifact), its outputs, and what the CLI prints at the end."""

from __future__ import annotations

from typing import Any

from devora.engine import Plan, RunResult, StepContext
from devora.workflows.saas_mvp._records import (
    Architecture,
    Deployment,
    Enrichment,
    Verification,
    Verified,
)

__all__ = ["VERIFYING_STEPS", "plan_report", "present_saas_mvp", "saas_outputs", "write_report"]

VERIFYING_STEPS = ("database", "database-postgresql", "backend", "frontend", "quality")


def _verifications(ctx: StepContext[Any]) -> list[Verification]:
    found: list[Verification] = []
    for step in VERIFYING_STEPS:
        done = ctx.results.get(step)  # a workflow built from these steps may leave some out
        if done is not None:
            found.extend(Verified.model_validate(done).verifications)
    return found


def write_report(ctx: StepContext[Any]) -> str:
    """report.md: the product, the stack, each verification with its evidence, the deploy."""
    architecture: Architecture = ctx.result("architecture")
    deployment: Deployment | None = ctx.result("deploy")
    lines = [
        f"# {architecture.product}: SaaS MVP",
        "",
        f"Generated into `{architecture.layout.root}` ({len(architecture.layout.files)} files, "
        f"template {architecture.template_version}, sha256 {architecture.layout.digest[:16]}).",
        "",
        "## Stack",
        "",
        *(f"- {part}: {choice}" for part, choice in architecture.stack.items()),
        "",
        "## Verified",
        "",
        "| check | status | seconds |",
        "| --- | --- | --- |",
    ]
    verifications = _verifications(ctx)
    lines += [f"| {v.name} | {v.status.value} | {v.seconds:.1f} |" for v in verifications]
    for verification in verifications:
        lines += ["", f"### {verification.name}", "", "```", verification.evidence(40), "```"]
    lines += _enrichment_lines(ctx.results.get("enrich-merge"))
    lines += ["", "## Deploy", ""]
    if deployment is None:
        lines.append("Not deployed (--no-deploy).")
    elif deployment.kind == "local":
        lines.append(f"Running at {deployment.url} (pid {deployment.pid}, log {deployment.log}).")
        if deployment.stop:
            lines.append(f"Stop it with `{' '.join(deployment.stop)}`.")
    else:
        lines.append(f"`{' '.join(deployment.command)}` exited 0.")
    text = "\n".join(lines) + "\n"
    ctx.add_artifact("report.md", text, media_type="text/markdown")
    return text


def _enrichment_lines(enrichment: Enrichment | None) -> list[str]:
    if enrichment is None:
        return []
    verdict = "kept (merged)" if enrichment.kept else f"discarded: {enrichment.reason}"
    return [
        "",
        "## Enrichment",
        "",
        f"The agents' change on `{enrichment.branch}` ({', '.join(enrichment.files_changed)}): "
        f"{verdict}. Its checks: `verify-enrich-*.json`; its patch: `enrich.patch`.",
        "",
        enrichment.summary.strip(),
    ]


async def plan_report(ctx: StepContext[Any]) -> Plan:
    """A dry-run writes no report."""
    return Plan(summary="write report.md (the stack, each verification, the deploy)")


def saas_outputs(ctx: StepContext[Any]) -> dict[str, Any]:
    """The product, where it is, each verification's status, and its URL when started here."""
    architecture: Architecture | None = ctx.results.get("architecture")
    deployment: Deployment | None = ctx.results.get("deploy")
    return {
        "product": architecture.product if architecture else None,
        "out": architecture.layout.root if architecture else ctx.inputs.out,
        "files": len(architecture.layout.files) if architecture else 0,
        "verifications": {v.name: v.status.value for v in _verifications(ctx)},
        "url": deployment.url if deployment else None,
        "deployed": deployment.kind if deployment else None,
        "stop": list(deployment.stop) if deployment and deployment.stop else None,
        "enrichment": _enrichment_output(ctx.results.get("enrich-merge")),
    }


def _enrichment_output(enrichment: Enrichment | None) -> dict[str, Any] | None:
    if enrichment is None:
        return None
    return {
        "kept": enrichment.kept,
        "files": list(enrichment.files_changed),
        "reason": enrichment.reason,
        "failed": list(enrichment.failed),
    }


def present_saas_mvp(result: RunResult, console: Any) -> None:
    """Each verification's status, and where the product is (its URL when it runs here)."""
    outputs = result.outputs
    if not outputs or result.dry_run:
        return
    for name, status in outputs.get("verifications", {}).items():
        console.print(f"{'ok' if status == 'passed' else status:>7}  {name}", markup=False)
    enrichment = outputs.get("enrichment")
    if enrichment:
        verdict = "kept" if enrichment["kept"] else f"discarded ({enrichment['reason']})"
        console.print(f"enrichment {verdict}: {', '.join(enrichment['files'])}", markup=False)
    if outputs.get("product"):
        console.print(f"{outputs['product']}: {outputs['out']}", markup=False)
    if outputs.get("url"):
        stop = f" (stop it with: {' '.join(outputs['stop'])})" if outputs.get("stop") else ""
        console.print(f"running at {outputs['url']}{stop}", markup=False)
