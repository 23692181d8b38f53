"""Built asset sizes and pytest-benchmark results in an audit; bad configuration and input."""

from __future__ import annotations

import importlib.util
import os
import random
import subprocess
import sys
from pathlib import Path

from audits import run_audit, write_config

from tests.cli.harness import Devora
from tests.conftest import require

BENCH_TEST = """
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def test_fib(benchmark):
    assert benchmark(fib, 12) == 144
"""


def build_output(root: Path) -> Path:
    """A dist/ folder: a big script that compresses well, a stylesheet, random bytes."""
    dist = root / "dist" / "assets"
    dist.mkdir(parents=True)
    (dist / "app.js").write_text(
        "".join(f"export function handler{i}(x) {{ return x * {i} + 1; }}\n" for i in range(3000))
    )
    (dist / "app.css").write_text("".join(f".c{i}{{margin:{i}px}}\n" for i in range(200)))
    noise = random.Random(7).randbytes(20_000)
    (dist / "engine.wasm").write_bytes(noise)
    (root / "dist" / "index.html").write_text("<!doctype html><title>x</title>")
    return dist


def run_benchmarks(root: Path) -> Path:
    """Run a real pytest-benchmark test and keep its JSON."""
    require(
        importlib.util.find_spec("pytest_benchmark") is not None,
        "pytest-benchmark is not installed (pip install pytest-benchmark)",
    )
    (root / "bench").mkdir()
    (root / "bench" / "test_fib.py").write_text(BENCH_TEST)
    target = root / "bench.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            f"--rootdir={root / 'bench'}",
            "--benchmark-min-rounds=3",
            "--benchmark-max-time=0.05",
            f"--benchmark-json={target}",
            str(root / "bench" / "test_fib.py"),
        ],
        cwd=root / "bench",
        # pytest-benchmark turns itself off when it sees an xdist worker's variables, which
        # this suite's own workers would hand down
        env={k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST_")},
        check=True,
        capture_output=True,
        timeout=120,
    )
    return target


def test_assets_and_benchmarks_are_measured_and_ranked(devora: Devora, tmp_path: Path) -> None:
    build_output(tmp_path)
    bench = run_benchmarks(tmp_path)
    write_config(
        tmp_path,
        '[performance.assertions]\n"assets:total-gzip" = { maxNumericValue = 1000 }\n',
    )
    audit = run_audit(
        devora, "--build-dir", "dist", "--benchmark-json", str(bench), "--verify-runs", "1"
    )
    assert audit.status == "succeeded", audit.error
    assert audit.outputs is not None
    metrics = audit.outputs["metrics"]
    assert metrics["assets:total-raw"] > metrics["assets:total-gzip"] > 0
    assert metrics["assets:total-brotli"] > 0
    medians = [name for name in metrics if name.startswith("benchmark:")]
    assert len(medians) == 1 and "test_fib" in medians[0]
    assert 0 < metrics[medians[0]] < 1
    assert audit.outputs["broken_budgets"] == ["assets:total-gzip"]
    # the heaviest after compression first: random bytes barely compress
    assert audit.outputs["recommendations"][:2] == [
        "Reduce assets/engine.wasm",
        "Reduce assets/app.js",
    ]
    markdown = audit.read("performance-audit.md")
    assert "it barely compresses" in markdown
    assert "benchmark" in markdown and "test_fib" in markdown


def test_the_newest_autosaved_benchmark_is_found(devora: Devora, tmp_path: Path) -> None:
    bench = run_benchmarks(tmp_path)
    saved = tmp_path / ".benchmarks" / "Linux-CPython-3-64bit"
    saved.mkdir(parents=True)
    bench.rename(saved / "0001_first.json")
    audit = run_audit(devora, "--verify-runs", "1")
    assert audit.status == "succeeded", audit.error
    assert audit.outputs is not None
    assert any(name.startswith("benchmark:") for name in audit.outputs["metrics"])


def test_nothing_to_measure_is_a_clear_error(devora: Devora) -> None:
    audit = run_audit(devora, "--verify-runs", "1")
    assert audit.status == "failed"
    assert audit.error is not None
    assert audit.error["message"].startswith("nothing to measure")
    assert "--url" in audit.error["hint"]


def test_a_missing_build_directory_is_a_clear_error(devora: Devora) -> None:
    audit = run_audit(devora, "--build-dir", "dist")
    assert audit.status == "failed"
    assert audit.error is not None
    assert (
        "build directory" in audit.error["message"] and "does not exist" in audit.error["message"]
    )


def test_an_invalid_performance_section_names_the_key(devora: Devora, tmp_path: Path) -> None:
    write_config(
        tmp_path,
        '[performance]\nrequests = 0\n[performance.assertions]\n"x" = { maxScore = 1 }\n',
    )
    audit = run_audit(devora, "http://127.0.0.1:1/", "--no-lighthouse", "--endpoints", "/")
    assert audit.status == "failed"
    assert audit.error is not None
    message = audit.error["message"]
    assert "devora.toml" in message
    assert "performance.requests" in message
    assert "performance.assertions.x.maxScore" in message


def test_too_many_requests_are_refused_before_the_run(devora: Devora) -> None:
    result = devora("run", "performance-audit", "http://127.0.0.1:1/", "--requests", "100000")
    assert result.returncode == 2
    assert "requests" in result.stderr + result.stdout
