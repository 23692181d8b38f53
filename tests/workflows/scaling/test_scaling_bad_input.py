"""What the scaling workflow refuses, and how it says so."""

from __future__ import annotations

import pytest
from scaling_runs import run_scaling

from tests.cli.harness import Devora
from tests.workflows.performance.perf_webapp import WebApp


@pytest.mark.parametrize("load", ["0", "-50"])
def test_a_zero_or_negative_target_load_is_refused_before_the_run(
    devora: Devora, load: str
) -> None:
    result = devora("run", "scaling", "http://127.0.0.1:1/", "--target-rps", load)
    assert result.returncode == 2
    output = result.stdout + result.stderr
    assert "target_rps" in output and "greater than 0" in output
    assert not (devora.home / "artifacts").exists() or not any(
        (devora.home / "artifacts").iterdir()
    )


def test_a_zero_target_in_the_config_names_the_file_and_key(devora: Devora) -> None:
    (devora.home.parent / "devora.toml").write_text("[scaling]\ntarget_rps = 0\n")
    study = run_scaling(devora)
    assert study.status == "failed"
    assert study.error is not None
    assert "devora.toml" in study.error["message"]
    assert "scaling.target_rps" in study.error["message"]


def test_no_target_load_says_how_to_give_one(devora: Devora, webapp: WebApp) -> None:
    study = run_scaling(devora, webapp.url)
    assert study.status == "failed"
    assert study.error is not None
    assert study.error["message"] == "no target load to plan for"
    assert "--target-rps" in study.error["hint"]
    assert webapp.hits == {}


def test_an_unreachable_url_fails_before_any_load(devora: Devora, unused_port: int) -> None:
    study = run_scaling(devora, f"http://127.0.0.1:{unused_port}/", "--target-rps", "10")
    assert study.status == "failed"
    assert study.error is not None
    assert f"http://127.0.0.1:{unused_port}/ is unreachable" in study.error["message"]
    assert study.error["step"] == "load_test"


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("--stages", "10,5", "stages must increase"),
        ("--stages", "0,5", "users per stage must be between 1 and"),
        ("--endpoints", "http://example.com/", "is not a path: endpoints are paths on url"),
    ],
)
def test_bad_stages_and_foreign_endpoints_are_refused(
    devora: Devora, webapp: WebApp, option: str, value: str, problem: str
) -> None:
    study = run_scaling(devora, webapp.url, "--target-rps", "10", option, value)
    assert study.status == "failed"
    assert study.error is not None
    assert problem in study.error["message"]
    assert webapp.hits == {}


def test_a_stage_shorter_than_a_second_is_refused(devora: Devora) -> None:
    result = devora("run", "scaling", "--target-rps", "10", "--stage-seconds", "0.5")
    assert result.returncode == 2
    assert "stage_seconds" in result.stdout + result.stderr
