"""The project's pytest-benchmark results, from the JSON it saves (--benchmark-json/autosave)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from devora.errors import StepError

__all__ = ["BenchmarkStat", "find_benchmark_json", "parse_benchmark_json", "read_benchmarks"]


class BenchmarkStat(BaseModel):
    """One benchmark's timings, in seconds."""

    model_config = ConfigDict(frozen=True)

    name: str
    mean: float
    median: float
    stddev: float
    rounds: int


def find_benchmark_json(root: Path) -> Path | None:
    """The newest file pytest-benchmark saved under `.benchmarks/` (autosave), if any."""
    folder = root / ".benchmarks"
    if not folder.is_dir():
        return None
    files = [path for path in folder.rglob("*.json") if path.is_file()]
    return max(files, key=lambda path: path.stat().st_mtime, default=None)


def parse_benchmark_json(data: dict[str, Any]) -> list[BenchmarkStat]:
    """The `benchmarks[].stats` of a pytest-benchmark JSON document."""
    benchmarks = data.get("benchmarks")
    if not isinstance(benchmarks, list):
        raise ValueError("no `benchmarks` list: not a pytest-benchmark JSON file")
    return [
        BenchmarkStat(
            name=str(item.get("fullname") or item["name"]),
            mean=float(item["stats"]["mean"]),
            median=float(item["stats"]["median"]),
            stddev=float(item["stats"]["stddev"]),
            rounds=int(item["stats"]["rounds"]),
        )
        for item in benchmarks
    ]


def read_benchmarks(root: Path, explicit: str | None) -> tuple[Path | None, list[BenchmarkStat]]:
    """The benchmark file given (or found) and its results; none when there is no file."""
    path = (root / explicit) if explicit else find_benchmark_json(root)
    if path is None:
        return None, []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return path, parse_benchmark_json(data)
    except FileNotFoundError as error:
        raise StepError(
            f"benchmark file {path} does not exist",
            hint="run pytest --benchmark-json=FILE first, or drop --benchmark-json",
        ) from error
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise StepError(
            f"cannot read pytest-benchmark results from {path}: {error}",
            hint="give a file written by pytest --benchmark-json=FILE",
        ) from error
