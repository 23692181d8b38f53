"""Locust, headless: a generated locustfile, one process per stage, its stats CSV read back."""

from devora.tools.locust._locustfile import locustfile_source
from devora.tools.locust._stage import MIN_STAGE_SECONDS, locust_command, run_stage
from devora.tools.locust._stats import StageResult, parse_locust_stats_csv

__all__ = [
    "MIN_STAGE_SECONDS",
    "StageResult",
    "locust_command",
    "locustfile_source",
    "parse_locust_stats_csv",
    "run_stage",
]
