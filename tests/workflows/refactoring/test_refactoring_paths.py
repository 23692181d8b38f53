"""The refactoring workflow's other paths through the real `devora` command: a person chooses
the target and makes the refactoring, a TypeScript target is the frontend squad's, a dry run
changes nothing, and the deprecated-call mapping is read from the project's config."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.cli.harness import Devora
from tests.tools.metrics.histories import History, git

RENAME = "rename=shop.pricing.total_price=price_with_tax"
NO_MODEL = {"DEVORA_MODEL": "", "OPENAI_API_KEY": "", "ANTHROPIC_API_KEY": ""}


def run(devora: Devora, *args: str) -> subprocess.CompletedProcess[str]:
    return devora("run", "refactoring", *args, "--json", timeout=600, **NO_MODEL)


def run_id_of(done: subprocess.CompletedProcess[str]) -> str:
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert last["kind"] == "run.finished", last
    return str(last["run_id"])


def waiting(devora: Devora) -> dict[str, Any]:
    (task,) = json.loads(devora("tasks", "--json").stdout)
    assert isinstance(task, dict)
    return task


def statuses(devora: Devora, run_id: str) -> dict[str, str]:
    data = json.loads(devora("status", run_id, "--json").stdout)
    return {step_id: step["status"] for step_id, step in data["steps"].items()}


def everything(repo: History) -> tuple[Any, ...]:
    """What a dry run must leave as it was: status, stash, branches, worktrees, HEAD."""
    return (
        *repo.state(),
        git(repo.root, "branch", "--list", "devora/*"),
        git(repo.root, "worktree", "list", "--porcelain"),
        git(repo.root, "rev-parse", "HEAD"),
    )


def complete(
    devora: Devora, run_id: str, step: str, tmp_path: Path, data: dict[str, Any]
) -> subprocess.CompletedProcess[str]:
    """`devora complete RUN STEP --output FILE` with `data` as the answer."""
    path = tmp_path / f"{step}-{len(list(tmp_path.glob('*.json')))}.json"
    path.write_text(json.dumps(data))
    return devora("complete", run_id, step, "--output", str(path), timeout=600, **NO_MODEL)


def test_a_person_chooses_the_target_then_makes_the_refactoring_behind_the_safety_net(
    devora: Devora, shop: History, tmp_path: Path
) -> None:
    first = run(devora, str(shop.root))
    assert first.returncode == 3, first.stdout[-3000:] + first.stderr
    run_id = run_id_of(first)
    task = waiting(devora)
    assert (task["step_id"], task["squad"], task["kind"]) == ("plan_backend", "backend", "input")
    assert "src/shop/rules.py:rule" in task["prompt"]
    wrong = complete(devora, run_id, "plan_backend", tmp_path, {"choice": 1})
    assert wrong.returncode == 2 and "Error:" in wrong.stderr and "target" in wrong.stderr
    assert waiting(devora)["step_id"] == "plan_backend"  # nothing recorded

    chosen = complete(devora, run_id, "plan_backend", tmp_path, {"target": "1"})
    assert chosen.returncode == 3, chosen.stdout[-3000:] + chosen.stderr
    task = waiting(devora)
    assert (task["step_id"], task["squad"]) == ("refactor_backend", "backend")
    (worktree,) = (devora.home / "worktrees").glob("shop-refactor-*")
    assert str(worktree) in task["prompt"]
    rules = worktree / "src/shop/rules.py"
    rules.write_text(
        "RULES = {i: i for i in range(9)}\n\n\ndef rule(x):\n    return RULES.get(x, -1)\n"
    )
    before = shop.state()
    done = complete(devora, run_id, "refactor_backend", tmp_path, {"summary": "a table"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    assert shop.state() == before
    (report,) = devora.home.rglob("report.json")
    data = json.loads(report.read_text())
    assert data["chosen_by"] == "a person" and data["change"]["done_by"] == "a person"
    assert data["chosen"][0]["function"] == "rule"
    assert data["safety_net"]["worse"] == [] and len(data["safety_net"]["passed_before"]) == 2
    (delta,) = data["review"]["deltas"]
    assert delta["before"]["complexity"] == 10 and delta["after"]["complexity"] == 1
    branch = f"devora/refactor-{run_id}"
    assert "RULES.get" in git(shop.root, "show", f"{branch}:src/shop/rules.py")


def test_a_typescript_target_is_analyzed_planned_and_refactored_by_the_frontend_squad(
    devora: Devora, shop: History
) -> None:
    shop.commit("a web page", {"web/cart.ts": "export function cart(n: number): number {\n"
                               "  if (n > 1) { return n; }\n  return 0;\n}\n"})  # fmt: skip
    first = run(devora, str(shop.root), "--target", "web/cart.ts:cart")
    assert first.returncode == 3, first.stdout[-3000:] + first.stderr
    run_id = run_id_of(first)
    task = waiting(devora)
    assert (task["step_id"], task["squad"]) == ("refactor_frontend", "frontend")
    steps = statuses(devora, run_id)
    assert steps["analyze_frontend"] == steps["plan_frontend"] == "succeeded"
    assert steps["analyze_backend"] == steps["plan_backend"] == "skipped"
    assert steps["refactor_backend"] == "skipped"
    # and a Python target stays the backend squad's
    devora("cancel", run_id)
    python = run(devora, str(shop.root), "--target", "src/shop/rules.py:rule")
    assert python.returncode == 3
    steps = statuses(devora, run_id_of(python))
    assert steps["analyze_backend"] == steps["plan_backend"] == "succeeded"
    assert steps["analyze_frontend"] == "skipped"


def test_a_dry_run_plans_and_changes_nothing(devora: Devora, shop: History) -> None:
    git(shop.root, "stash", "list")
    before = everything(shop)
    done = run(devora, str(shop.root), "--dry-run", "-i", RENAME)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr  # docs/refactoring.md
    assert everything(shop) == before
    assert (
        not list((devora.home / "worktrees").glob("*"))
        if (devora.home / "worktrees").exists()
        else True
    )
    steps = statuses(devora, run_id_of(done))
    assert steps["refactor_backend"] == "planned"
    events = [json.loads(line) for line in done.stdout.splitlines()]
    (planned,) = [e for e in events if e["step_id"] == "refactor_backend"
                  and "would refactor" in json.dumps(e)]  # fmt: skip
    assert "would refactor src/shop/pricing.py with codemod rename" in json.dumps(planned)


CHECKOUT = (
    "from shop.pricing import old_tax\n\n\ndef fee(amount):\n    return old_tax(amount) + 1\n"
)
OLD_TAX = "\n\ndef old_tax(amount):\n    return tax(amount)\n"
CHECKOUT_TEST = "from shop.checkout import fee\n\n\ndef test_fee():\n    assert fee(10) == 3\n"


def test_the_deprecated_mapping_in_devora_toml_is_applied_on_a_branch_behind_the_tests(
    devora: Devora, shop: History, tmp_path: Path
) -> None:
    pricing = (shop.root / "src/shop/pricing.py").read_text()
    shop.commit(
        "a deprecated call",
        {
            "src/shop/pricing.py": pricing + OLD_TAX,
            "src/shop/checkout.py": CHECKOUT,
            "tests/test_checkout.py": CHECKOUT_TEST,
            # old_tax stays covered after its callers move on, so coverage is not lower
            "tests/test_old_tax.py": "from shop.pricing import old_tax\n\n\n"
            "def test_old_tax():\n    assert old_tax(10) == 2\n",
            "devora.toml": '[refactoring]\ndeprecated = { "shop.pricing.old_tax" = '
            '"shop.pricing.tax" }\n',
        },
    )
    first = run(devora, str(shop.root), "--kind", "modernize")
    assert first.returncode == 3, first.stdout[-3000:] + first.stderr
    task = waiting(devora)
    assert (
        "1 | src/shop/checkout.py" in task["prompt"]
        and "old_tax -> shop.pricing.tax" in task["prompt"]
    )
    done = complete(devora, run_id_of(first), "plan_backend", tmp_path, {"target": "1"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    (report,) = devora.home.rglob("report.json")
    data = json.loads(report.read_text())
    assert data["change"]["done_by"] == "codemod replace-deprecated"
    assert data["change"]["files_changed"] == ["src/shop/checkout.py"]
    assert "tests/test_checkout.py::test_fee" in data["safety_net"]["passed_before"]
    assert data["safety_net"]["no_longer_passing"] == []
    shown = git(shop.root, "show", f"{data['change']['branch']}:src/shop/checkout.py")
    assert "return tax(amount) + 1" in shown and "old_tax" not in shown


def test_a_bad_refactoring_config_is_one_error_with_a_hint_exit_2(
    devora: Devora, shop: History
) -> None:
    pyproject = (shop.root / "pyproject.toml").read_text()
    shop.commit("bad config", {"pyproject.toml": pyproject +
                               "\n[tool.devora.refactoring]\ndeprecated = 3\n"})  # fmt: skip
    before = shop.state()
    done = devora("run", "refactoring", str(shop.root), timeout=600)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.count("Error:") == 1 and done.stderr.count("Hint:") == 1
    assert "invalid refactoring configuration in pyproject.toml: deprecated" in done.stderr
    assert shop.state() == before
    assert not list(devora.home.rglob("report.json")) if devora.home.exists() else True
