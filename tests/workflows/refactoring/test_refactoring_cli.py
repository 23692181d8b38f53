"""The refactoring workflow through the real `devora` command, on real repositories with real
histories and real pytest: a rename kept behind the safety net, a change that breaks a test
discarded, and every bad input refused with exit 2 and the user's tree untouched."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.cli.harness import Devora
from tests.conftest import require_executable
from tests.fixtures.project_env import link_project_environment
from tests.llm.harness import TEST_KEY
from tests.llm.scripted_server import ScriptedServer, openai_reply
from tests.tools.metrics.histories import History, git


def only_pytest_in_the_environment(repo: History) -> None:
    """The project's .venv holds pytest (and what it imports) but not mypy or coverage."""
    link_project_environment(repo.root, ("pytest",))


def _run(devora: Devora, *args: str) -> subprocess.CompletedProcess[str]:
    return devora("run", "refactoring", *args, timeout=600)


def test_a_rename_is_kept_on_its_branch_behind_the_safety_net(
    devora: Devora, shop: History
) -> None:
    before = shop.state()
    head = git(shop.root, "rev-parse", "HEAD")
    done = _run(devora, str(shop.root), "-i", "rename=shop.pricing.total_price=price_with_tax")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "refactored src/shop/pricing.py on branch devora/refactor-" in done.stdout
    assert shop.state() == before and git(shop.root, "rev-parse", "HEAD") == head
    (branch,) = git(
        shop.root, "for-each-ref", "--format=%(refname:short)", "refs/heads/devora/"
    ).split()
    changed = git(shop.root, "diff", "--name-only", f"HEAD..{branch}").split()
    assert changed == ["src/shop/pricing.py", "tests/test_pricing.py"]
    shown = git(shop.root, "show", f"{branch}:src/shop/pricing.py")
    assert "def price_with_tax(items)" in shown and '__all__ = ["price_with_tax"]' in shown
    (report,) = devora.home.rglob("report.json")
    data = json.loads(report.read_text())
    net = data["safety_net"]
    assert net["passed_before"] == ["tests/test_pricing.py::test_tax",
                                    "tests/test_pricing.py::test_total"]  # fmt: skip
    assert net["no_longer_passing"] == [] and net["worse"] == []
    assert data["change"]["done_by"] == "codemod rename"
    assert (report.parent / "refactoring.patch").read_text().count("price_with_tax") >= 3
    assert "## Delta per target" in (report.parent / "report.md").read_text()


def test_bad_inputs_are_refused_before_anything_runs(
    devora: Devora, shop: History, tmp_path: Path
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    cases = [
        ([str(plain)], "not a git repository"),
        ([str(shop.root), "--kind", "rewrite"], "kind"),
        ([str(shop.root), "--target", "src/shop/nothing.py"], "not a file committed"),
        ([str(shop.root), "--target", "src/shop/rules.py:nope"], "has no function nope"),
        ([str(shop.root), "-i", "rename=total_price"], "rename"),
    ]
    before = shop.state()
    for args, message in cases:
        done = _run(devora, *args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert message in done.stderr and "Error:" in done.stderr and "Hint:" in done.stderr
        assert shop.state() == before
    (shop.root / "src/shop/rules.py").write_text("x = 1\n")
    dirty = shop.state()
    done = _run(devora, str(shop.root))
    assert done.returncode == 2 and "uncommitted changes" in done.stderr
    assert shop.state() == dirty
    assert not devora.home.exists() or not list(devora.home.rglob("report.json"))


def test_a_change_that_breaks_a_test_is_discarded_and_the_run_fails_naming_it(
    devora: Devora, shop: History
) -> None:
    # A reference the codemod cannot see (a string): the rename breaks this test.
    shop.commit(
        "look the function up by name",
        {
            "tests/test_lookup.py": "import shop.pricing\n\n\ndef test_lookup():\n"
            "    assert getattr(shop.pricing, 'total_price')([5]) == 6\n"
        },
    )
    before = shop.state()
    done = _run(devora, str(shop.root), "-i", "rename=shop.pricing.total_price=price_with_tax")
    assert done.returncode == 1, done.stdout
    assert "test tests/test_lookup.py::test_lookup passed before, failed after" in done.stdout
    assert "worktree was discarded" in done.stdout
    assert git(shop.root, "for-each-ref", "refs/heads/devora/") == ""
    assert not list((devora.home / "worktrees").glob("shop-refactor-*"))
    assert shop.state() == before
    (net,) = devora.home.rglob("safety-net.json")
    assert json.loads(net.read_text())["no_longer_passing"] == ["tests/test_lookup.py::test_lookup"]


def test_a_type_check_or_coverage_that_did_not_run_fails_the_run_saying_how_to_install_it(
    devora: Devora, shop: History
) -> None:
    only_pytest_in_the_environment(shop)
    before = shop.state()
    done = _run(devora, str(shop.root), "-i", "rename=shop.pricing.total_price=price_with_tax")
    # Not run is not passed: a figure the safety net must measure and could not costs the run.
    assert done.returncode == 1, done.stdout + done.stderr
    said = " ".join(done.stdout.split())  # the terminal wraps long lines
    assert "the safety net could not measure what it must" in said
    assert "type check not run: mypy is not in the project's environment" in said
    assert "coverage not measured: coverage.py is not in the project's environment" in said
    assert "install it there (" in said and "pip install coverage" in said
    assert 'optional = ["coverage", "typecheck"]' in said
    assert git(shop.root, "for-each-ref", "refs/heads/devora/") == ""
    assert not list((devora.home / "worktrees").glob("shop-refactor-*"))
    assert shop.state() == before
    (net_file,) = devora.home.rglob("safety-net.json")
    net = json.loads(net_file.read_text())
    assert [r.split(":")[0] for r in net["not_measured"]] == [
        "coverage not measured",
        "type check not run",
    ]
    assert net["not_run"] == [] and net["worse"] == []


def test_a_figure_listed_optional_is_kept_and_reported_not_verified_never_not_worse(
    devora: Devora, shop: History
) -> None:
    only_pytest_in_the_environment(shop)
    shop.commit(
        "coverage and mypy are optional here",
        {"devora.toml": '[refactoring]\noptional = ["coverage", "typecheck"]\n'},
    )
    done = _run(devora, str(shop.root), "-i", "rename=shop.pricing.total_price=price_with_tax")
    assert done.returncode == 0, done.stdout + done.stderr
    said = " ".join(done.stdout.split())  # the terminal wraps long lines
    assert (
        "not verified (optional): type check not run: mypy is not in the project's environment"
        in said
    )
    assert "not verified (optional): coverage not measured: coverage.py is not in the" in said
    (report,) = devora.home.rglob("report.json")
    net = json.loads(report.read_text())["safety_net"]
    assert net["type_errors_before"] is None and net["coverage_before"] is None
    assert [r.split(":")[0] for r in net["not_run"]] == [
        "coverage not measured",
        "type check not run",
    ]
    assert net["not_measured"] == []
    assert (
        "type check not worse" not in net["verdict"] and "coverage not lower" not in net["verdict"]
    )
    assert net["verdict"].startswith(
        "kept: 2 test(s) pass before and after; not verified (optional): "
    )
    markdown = (report.parent / "report.md").read_text()
    assert (
        "- not verified (optional): type check not run: mypy is not in the project's "
        "environment (venv" in markdown
    )
    assert "not worse" not in markdown and "type errors: None" not in markdown


def test_an_unknown_optional_figure_is_refused_before_the_run(
    devora: Devora, shop: History
) -> None:
    shop.commit("a typo", {"devora.toml": '[refactoring]\noptional = ["coverge"]\n'})
    done = _run(devora, str(shop.root))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "invalid refactoring configuration in devora.toml: optional.0" in done.stderr
    assert not devora.home.exists() or not list(devora.home.rglob("report.json"))


RULES_EXTRACTED = (
    "RULES = {i: i for i in range(9)}\n\n\ndef rule(x):\n    return RULES.get(x, -1)\n"
)


@pytest.mark.slow
def test_a_judgement_refactoring_is_made_by_the_coding_agent_when_a_model_is_configured(
    devora: Devora, shop: History
) -> None:
    require_executable("bwrap", "apt-get install bubblewrap")
    write = {"path": "src/shop/rules.py", "content": RULES_EXTRACTED}
    server = ScriptedServer(
        [
            openai_reply(tool_calls=[("c1", "write_file", write)]),
            openai_reply("Replaced the if-ladder of rule() with a table lookup."),
        ]
    ).start()
    try:
        done = devora(
            "run", "refactoring", str(shop.root), "--target", "src/shop/rules.py:rule",
            timeout=600, DEVORA_MODEL="openai:gpt-4o-mini",
            DEVORA_LLM_BASE_URL=f"{server.url}/v1", OPENAI_API_KEY=TEST_KEY,
        )  # fmt: skip
    finally:
        server.stop()
    assert done.returncode == 0, done.stdout + done.stderr
    (report,) = devora.home.rglob("report.json")
    data = json.loads(report.read_text())
    assert data["change"]["done_by"] == "coding agent openai:gpt-4o-mini"
    assert data["change"]["files_changed"] == ["src/shop/rules.py"]
    (delta,) = data["review"]["deltas"]
    assert delta["before"]["complexity"] == 10 and delta["after"]["complexity"] == 1
    assert TEST_KEY not in report.read_text()
