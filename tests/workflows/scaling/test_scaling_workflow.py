"""A staged Locust load test of the test web app, its analysis, plan and manifests."""

from __future__ import annotations

import ast
import math
import re

import yaml
from scaling_runs import run_scaling

from tests.cli.harness import Devora
from tests.workflows.performance.perf_webapp import WebApp


def test_a_saturating_service_breaks_its_sla_and_gets_a_plan(
    locust_installed: None, devora: Devora, webapp: WebApp
) -> None:
    webapp.work = 0.01  # /work serves one request at a time: about 100 req/s at most
    study = run_scaling(
        devora,
        webapp.url,
        "--endpoints", "/work",
        "--stages", "1,4,16",
        "--stage-seconds", "2",
        "--max-requests", "1500",
        "--sla-p95-ms", "100",
        "--target-rps", "300",
        "--headroom", "0.25",
        "--price-per-instance", "40",
    )  # fmt: skip
    assert study.status == "succeeded", study.error
    out = study.outputs
    assert out is not None
    # /work holds a lock for 10 ms: 16 users queue for ~160 ms on an idle machine, so the
    # knee is found; a loaded machine only brings it earlier (4 users), never past 16 and
    # never at 1 (that would fail the study). Relations, not timings.
    breaking = out["breaking_users"]
    assert breaking in (4, 16)
    assert any(
        "p95" in reason and "over the SLA's 100 ms" in reason for reason in out["breaking_reasons"]
    )
    assert out["best_users"] in (1, 4) and out["best_users"] < breaking
    assert out["lower_bound"] is False
    capacity = out["capacity_rps"]
    assert 0 < capacity < 110  # one request at a time, 10 ms each: at most 100 req/s
    expected = max(2, math.ceil(300 * 1.25 / capacity - 1e-9))
    assert out["instances"] == expected
    assert out["max_instances"] == max(expected + 1, 2 * expected)
    assert out["monthly_cost"] == expected * 40
    # the service saw the load and nothing else: only /work was requested by Locust
    assert set(webapp.hits) == {"/", "/work"} and webapp.hits["/"] == 1
    assert sum(1 for line in study.logs if line.startswith("stage: ")) == 3

    report = study.read("scaling-report.md")
    assert f"| {breaking} |" in report and "broken" in report
    assert "load to serve = 300 req/s * (1 + 0.25 headroom) = 375 req/s" in report
    assert re.search(r"instances = ceil\(375 / [\d.]+\) = ceil\([\d.]+\) = \d+", report)
    assert f"cost = {expected} * 40 USD/month = {expected * 40} USD/month" in report

    deployment, autoscaler = yaml.safe_load_all(study.read("kubernetes.yaml"))
    assert deployment["kind"] == "Deployment" and deployment["apiVersion"] == "apps/v1"
    assert deployment["spec"]["replicas"] == expected
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["requests"]["cpu"] == "1000m"
    assert (
        deployment["spec"]["selector"]["matchLabels"]
        == deployment["spec"]["template"]["metadata"]["labels"]
    )
    assert autoscaler["kind"] == "HorizontalPodAutoscaler"
    assert autoscaler["apiVersion"] == "autoscaling/v2"
    assert autoscaler["spec"]["minReplicas"] == expected
    assert autoscaler["spec"]["maxReplicas"] == out["max_instances"]
    assert autoscaler["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    target = autoscaler["spec"]["metrics"][0]["resource"]["target"]
    assert target == {"type": "Utilization", "averageUtilization": 80}  # 100 / 1.25

    settings = ast.parse(study.read("gunicorn.conf.py"))
    values = {
        node.targets[0].id: ast.literal_eval(node.value)  # type: ignore[attr-defined]
        for node in settings.body
        if isinstance(node, ast.Assign)
    }
    assert values["workers"] == 1
    assert values["worker_class"] == "uvicorn.workers.UvicornWorker"
    assert values["bind"] == "0.0.0.0:8000"


def test_a_failing_endpoint_stops_the_test_and_no_plan_is_made(
    locust_installed: None, devora: Devora, webapp: WebApp
) -> None:
    webapp.failing = True
    study = run_scaling(
        devora,
        webapp.url,
        "--endpoints", "/flaky",
        "--stages", "1,2,4",
        "--stage-seconds", "2",
        "--max-requests", "200",
        "--target-rps", "10",
    )  # fmt: skip
    assert study.status == "failed"
    assert study.error is not None and study.error["step"] == "capacity_plan"
    assert "even the first stage (1 users) breaks the SLA" in study.error["message"]
    assert "error rate 100.0% is over the SLA's 1.0%" in study.error["message"]
    assert "fewer users" in study.error["hint"]
    assert any("stopped after 1 users" in line for line in study.logs)
    # bounded: the stage stopped at its request budget (plus the few in flight)
    assert webapp.hits["/flaky"] <= 200 + 10


def test_a_config_section_sets_the_study_and_a_gunicorn_server(
    locust_installed: None, devora: Devora, webapp: WebApp
) -> None:
    (devora.home.parent / "devora.toml").write_text(
        f"""
[scaling]
url = "{webapp.url}"
endpoints = ["/fast"]
stages = [1, 2]
stage_seconds = 2
max_requests = 300
target_rps = 50
min_instances = 3
server = "gunicorn"
cpu_per_instance = 2
app_name = "shop-api"
image = "registry.example.com/shop:1.0"
""",
        encoding="utf-8",
    )
    study = run_scaling(devora)
    assert study.status == "succeeded", study.error
    assert study.outputs is not None
    assert study.outputs["instances"] >= 3
    deployment, _ = yaml.safe_load_all(study.read("kubernetes.yaml"))
    assert deployment["metadata"]["name"] == "shop-api"
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "registry.example.com/shop:1.0"
    assert {"name": "WEB_CONCURRENCY", "value": "5"} in container["env"]  # 2 * 2 CPUs + 1
    assert 'worker_class = "sync"' in study.read("gunicorn.conf.py")


def test_a_dry_run_plans_the_load_and_sends_nothing(devora: Devora, webapp: WebApp) -> None:
    study = run_scaling(
        devora, webapp.url, "--target-rps", "10", "--stages", "2,4", "--max-requests", "100",
        "--dry-run",
    )  # fmt: skip
    assert study.status == "succeeded"
    assert webapp.hits == {}
    plans = study.result.stdout
    assert "would load" in plans and "at most 200 requests in all" in plans
    assert "stage 2: 4 users for 20 s, at most 100 requests to /" in plans


def test_the_cli_summary_names_capacity_plan_and_report(
    locust_installed: None, devora: Devora, webapp: WebApp
) -> None:
    result = devora(
        "run", "scaling", webapp.url, "--endpoints", "/fast", "--stages", "1",
        "--stage-seconds", "1", "--max-requests", "50", "--target-rps", "10",
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(lower bound); no stage broke the SLA" in result.stdout
    # One user on /fast makes hundreds of requests a second on an idle machine, but a loaded
    # one (CI's, once) measured under 6.5 req/s: the plan follows from the capacity printed,
    # at the default 30 % headroom, and is never under the minimum of 2.
    found = re.search(r"capacity ([\d.]+) req/s per instance", result.stdout)
    assert found, result.stdout
    expected = max(2, math.ceil(10 * 1.3 / float(found.group(1)) - 1e-9))
    assert f"plan: {expected} instances for 10 req/s" in result.stdout
    assert "scaling-report.md" in result.stdout
