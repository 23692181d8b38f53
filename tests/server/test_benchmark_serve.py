"""benchmarks/serve.py at a small scale: its own checks pass (every run recorded and
succeeded, every event delivered once, in order) and `--profile` profiles the burst."""

from __future__ import annotations

import pstats
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_serve_benchmark_checks_every_run_and_event_and_profiles_the_burst(
    tmp_path: Path,
) -> None:
    profile = tmp_path / "burst.prof"
    argv = [sys.executable, str(ROOT / "benchmarks" / "serve.py"), "--runs", "20",
            "--clients", "4", "--slow", "0.2", "--profile", str(profile)]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert "recorded    44/44 runs, 44 succeeded; every event once" in lines, done.stdout
    assert any(line.startswith("GET /health 20 concurrent: p50 ") for line in lines)
    burst = next(line for line in lines if line.startswith("start-run   20 concurrent: "))
    assert " in flight at the peak, " in burst and " answered queued; CPU: server " in burst
    functions = {name for _, _, name in pstats.Stats(str(profile)).stats}  # type: ignore[attr-defined]
    assert "_commit_starts" in functions and "_accepted" in functions
