"""What the scaling workflow refuses, and how it says so."""

from __future__ import annotations

import pytest
from scaling_runs import run_scaling

from tests.cli.harness import Devora, assert_one_clear_error, no_runs
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
    result = devora("run", "scaling", "--json")
    assert_one_clear_error(result, "devora.toml", "scaling.target_rps")
    assert no_runs(devora)


def test_no_target_load_says_how_to_give_one(devora: Devora, webapp: WebApp) -> None:
    result = devora("run", "scaling", webapp.url, "--json")
    assert_one_clear_error(result, "no target load to plan for", "--target-rps N")
    assert no_runs(devora)
    assert webapp.hits == {}


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/", "127.0.0.1:8000", "file:///etc/passwd"])
def test_a_url_that_is_not_http_is_refused_before_the_run(devora: Devora, url: str) -> None:
    result = devora("run", "scaling", url, "--target-rps", "10", "--json")
    assert_one_clear_error(result, f"{url!r} is not an http(s) URL")
    assert no_runs(devora)


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
    result = devora("run", "scaling", webapp.url, "--target-rps", "10", option, value)
    assert_one_clear_error(result, problem)
    assert no_runs(devora)
    assert webapp.hits == {}


def test_a_stage_shorter_than_a_second_is_refused(devora: Devora) -> None:
    result = devora("run", "scaling", "--target-rps", "10", "--stage-seconds", "0.5")
    assert result.returncode == 2
    assert "stage_seconds" in result.stdout + result.stderr
