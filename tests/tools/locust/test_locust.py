"""Locust's stats CSV read as data, and the locustfile Devora generates."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from devora.tools.locust import locustfile_source, parse_locust_stats_csv

# The header and rows Locust 2.x writes to PREFIX_stats.csv.
STATS_CSV = """Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,\
Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,\
90%,95%,98%,99%,99.9%,99.99%,100%
GET,/,302,2,3,4.87,1.53,35.49,262.0,801.29,5.3,3,4,4,5,6,16,26,29,35,35,35
,Aggregated,302,2,3,4.87,1.53,35.49,262.0,801.29,5.3,3,4,4,5,6,16,26,29,35,35,35
"""


def test_the_aggregated_row_is_read() -> None:
    result = parse_locust_stats_csv(STATS_CSV, users=5, seconds=3)
    assert (result.requests, result.failures, result.rps) == (302, 2, 801.29)
    assert (result.p50, result.p95, result.p99) == (3, 16, 29)
    assert result.error_rate == pytest.approx(2 / 302)
    with pytest.raises(ValueError, match="no Aggregated row"):
        parse_locust_stats_csv(STATS_CSV.splitlines()[0] + "\n", users=1, seconds=1)


def test_the_generated_locustfile_is_python_naming_only_the_endpoints() -> None:
    source = locustfile_source(["/a", "/b?q='x'\"y"], 500, Path("/tmp/it's/stats.csv"))
    tree = ast.parse(source)
    constants = {
        node.targets[0].id: ast.literal_eval(node.value)  # type: ignore[attr-defined]
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List | ast.Constant)
    }
    assert constants["ENDPOINTS"] == ["/a", "/b?q='x'\"y"]
    assert constants["MAX_REQUESTS"] == 500
    assert constants["STATS_CSV"] == "/tmp/it's/stats.csv"
