"""`devora serve` under load: 200 runs started at once through the API, 50 SSE clients.

Prints p50/p99 of start-run and run-detail latency, and the delay from an event's
journal time (taken just before its commit) to its arrival at an SSE client; checks that
all 200 runs were recorded and every client got every event of its run once, in order.

    .venv/bin/python benchmarks/serve.py [--runs 200] [--clients 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devora.store import open_store  # noqa: E402
from tests.server.conftest import launch  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def follow(client: httpx.AsyncClient, run_id: str, delays: list[float]) -> list[int]:
    """Every event of the run; the delay of those journaled after the stream opened."""
    seqs: list[int] = []
    async with client.stream("GET", f"/api/runs/{run_id}/events") as response:
        opened = time.time()
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                event = json.loads(line[6:])
                if event["at"] > opened:  # live, not replayed from the journal
                    delays.append(time.time() - event["at"])
                seqs.append(event["seq"])
    return seqs


async def load(base_url: str, headers: dict[str, str], runs: int, clients: int) -> None:
    limits = httpx.Limits(max_connections=runs + clients + 10)
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, timeout=120, limits=limits
    ) as client:
        await client.get("/api/workflows/chain")  # warm

        async def start(slow: float = 0.0) -> tuple[float, str]:
            began = time.perf_counter()
            inputs = {"slow": slow}
            response = await client.post("/api/runs", json={"workflow": "chain", "inputs": inputs})
            response.raise_for_status()
            return time.perf_counter() - began, response.json()["id"]

        began = time.perf_counter()
        started = await asyncio.gather(*(start() for _ in range(runs)))
        wall = time.perf_counter() - began
        ids = [run_id for _, run_id in started]
        delays: list[float] = []
        # 50 clients follow 50 fresh runs live (their `slow` step sleeps 1 s).
        followed = [
            run_id for _, run_id in await asyncio.gather(*(start(1.0) for _ in range(clients)))
        ]
        streams = await asyncio.gather(*(follow(client, r, delays) for r in followed))

        async def detail(run_id: str) -> float:
            began = time.perf_counter()
            (await client.get(f"/api/runs/{run_id}")).raise_for_status()
            return time.perf_counter() - began

        details = await asyncio.gather(*(detail(r) for r in ids))
        starts = [s for s, _ in started]
        print(
            f"start-run   {runs} concurrent: p50 {percentile(starts, 50) * 1000:.1f} ms, "
            f"p99 {percentile(starts, 99) * 1000:.1f} ms (all {wall:.2f} s)"
        )
        print(
            f"run-detail  {runs} concurrent: p50 {percentile(details, 50) * 1000:.1f} ms, "
            f"p99 {percentile(details, 99) * 1000:.1f} ms"
        )
        print(
            f"SSE         {clients} clients, {len(delays)} events: event→client p50 "
            f"{percentile(delays, 50) * 1000:.1f} ms, p99 {percentile(delays, 99) * 1000:.1f} ms"
        )
        for run_id, seqs in zip(followed, streams, strict=True):
            assert seqs == list(range(1, len(seqs) + 1)), f"{run_id}: {seqs}"
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as where:
        home = Path(where) / ".devora"
        server = launch(home)
        try:
            asyncio.run(load(server.base_url, server.headers, options.runs, options.clients))
            deadline = time.monotonic() + 120
            with open_store(home=home) as store:
                while time.monotonic() < deadline:
                    recorded = store.list_runs(limit=10_000)
                    if all(r.status.finished for r in recorded):
                        break
                    time.sleep(0.2)
            total = options.runs + options.clients
            succeeded = sum(r.status.value == "succeeded" for r in recorded)
            print(f"recorded    {len(recorded)}/{total} runs, {succeeded} succeeded")
            assert len(recorded) == total and succeeded == total
        finally:
            server.stop()


if __name__ == "__main__":
    main()
