"""`devora serve` under load: 200 runs started at once through the API, 50 SSE clients.

50 clients follow 50 runs (each with a step sleeping `--slow` seconds) over SSE; while
they stream, `--runs` start-run requests are sent at once, then as many run-detail
requests. Prints p50/p99 of start-run and run-detail latency (as the client sees it),
and the delay from each event's commit (the server's own clock, taken when the engine
publishes the committed event) to its arrival at an SSE client. Checks that every run
was recorded and succeeded, and that every client got every event of its run once, in
order (compared with the journal).

    .venv/bin/python benchmarks/serve.py [--runs 200] [--clients 50] [--max-runs N]

The server runs in its own process (`--serve`, below): `devora serve`'s app with the
engine's toy workflows, plus a subscriber noting when each event was committed.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devora.store import open_store  # noqa: E402

TOYS = ROOT / "tests" / "engine" / "toy_workflows.py"
TOKEN = "benchmark-token-0123456789"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
# Below uvicorn's keep-alive (5 s): a client that reuses a connection just as the server
# closes it for idleness gets a connection reset (httpx.ReadError) on its next request.
KEEPALIVE_SECONDS = 2.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (Linux /proc; 0.0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def figures(values: list[float]) -> str:
    return f"p50 {percentile(values, 50) * 1000:.1f} ms, p99 {percentile(values, 99) * 1000:.1f} ms"


# -- the server process -------------------------------------------------------------------


def serve(home: Path, trace: Path, max_runs: int | None, profile: Path | None) -> None:
    """`devora serve` on a free port, noting each event's commit time; written at exit.

    `profile`: cProfile the server between SIGUSR1 and SIGUSR2 (the client sends them
    around the start-run burst), stats written there.
    """
    from devora.server import create_app
    from devora.server import serve as run_server
    from devora.store import Event

    app = create_app(home=home, workflows=[f"{TOYS}:chain"], max_runs=max_runs)
    committed: dict[str, dict[int, float]] = {}

    def note(event: Event) -> None:  # the bus publishes right after the commit
        committed.setdefault(event.run_id, {})[event.seq] = time.time()

    app.state.devora.runner.bus.subscribe(note)
    if profile is not None:
        profiler = cProfile.Profile(time.thread_time)  # CPU, not the waits for a core
        signal.signal(signal.SIGUSR1, lambda *_: profiler.enable())
        signal.signal(signal.SIGUSR2, lambda *_: (profiler.disable(), profiler.dump_stats(profile)))
    try:  # stopped by SIGINT: uvicorn shuts down, then raises it again
        run_server(app, port=0, announce=lambda url: print(url, flush=True))
    except KeyboardInterrupt:
        pass
    finally:
        trace.write_text(json.dumps(committed))


def launch(
    home: Path, trace: Path, max_runs: int | None, profile: Path | None
) -> tuple[subprocess.Popen[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEVORA_")}
    env["DEVORA_API_TOKEN"] = TOKEN
    argv = [sys.executable, __file__, "--serve", str(home), str(trace)]
    if max_runs is not None:
        argv += ["--max-runs", str(max_runs)]
    if profile is not None:
        argv += ["--profile", str(profile)]
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if not url.startswith("http"):
        process.kill()
        raise SystemExit(f"the server did not start: {url!r}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("the server did not answer /health")


# -- the load -------------------------------------------------------------------------------


async def call(
    url: str,
    method: str,
    path: str,
    body: object = None,
    flights: list[tuple[float, float]] | None = None,
) -> dict[str, object]:
    """One request on its own connection, written and read by hand.

    httpx spends about as much CPU per request as the server does; on two shared cores
    that CPU is taken from the server, so the bursts use this bare HTTP/1.1 instead.
    `flights` gets (written, answered) perf_counter times, to show how many were in flight.
    """
    host, _, port = url.removeprefix("http://").partition(":")
    data = b"" if body is None else json.dumps(body).encode()
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {TOKEN}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
        "Connection: close\r\n\r\n"
    )
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(head.encode() + data)
        written = time.perf_counter()
        # Read to the end of the body, not to the end of the connection: the server closes
        # it only once its loop is done with everything that was ready with this request.
        status_line, *lines = (await reader.readuntil(b"\r\n\r\n")).decode().split("\r\n")
        fields = dict(line.lower().split(": ", 1) for line in lines if ": " in line)
        answer = await reader.readexactly(int(fields["content-length"]))
        if flights is not None:
            flights.append((written, time.perf_counter()))
    finally:
        writer.close()
    if status_line.split()[1][:1] != "2":
        raise RuntimeError(f"{method} {path}: {status_line} {answer[:500]!r}")
    parsed: dict[str, object] = json.loads(answer)
    return parsed


def peak_in_flight(flights: list[tuple[float, float]]) -> int:
    """The most requests written and not yet answered at one time."""
    steps = sorted([(w, 1) for w, _ in flights] + [(a, -1) for _, a in flights])
    peak = current = 0
    for _, step in steps:
        current += step
        peak = max(peak, current)
    return peak


class Followers:
    """When each client's stream opened; `all_open` is set once every one has."""

    def __init__(self, clients: int) -> None:
        self.opened: dict[str, float] = {}
        self.clients = clients
        self.all_open = asyncio.Event()

    async def follow(self, client: httpx.AsyncClient, run_id: str) -> list[tuple[int, float]]:
        """(seq, arrival time) of every event of the run, until its stream ends."""
        received: list[tuple[int, float]] = []
        async with client.stream("GET", f"/api/runs/{run_id}/events") as response:
            response.raise_for_status()
            self.opened[run_id] = time.time()
            if len(self.opened) == self.clients:
                self.all_open.set()
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    received.append((json.loads(line[6:])["seq"], time.time()))
        return received


@dataclass
class Result:
    """What the load measured (seconds; `bursts`: unix times the bursts began and ended)."""

    listed: list[float]
    alone: list[float]
    starts: list[float]
    details: list[float]
    wall: float
    queued: int
    cpu: dict[str, float]
    followed: dict[str, list[tuple[int, float]]]
    opened: dict[str, float]
    bursts: tuple[float, float]
    floor: list[float]
    in_flight: int


async def load(
    base_url: str, server_pid: int, runs: int, clients: int, slow: float, profile: bool
) -> Result:
    limits = httpx.Limits(max_connections=clients + 10, keepalive_expiry=KEEPALIVE_SECONDS)
    async with httpx.AsyncClient(
        base_url=base_url, headers=HEADERS, timeout=120, limits=limits
    ) as client:
        listed = []
        for _ in range(2):  # the first may wait for the warm-up's imports
            began = time.perf_counter()
            await call(base_url, "GET", "/api/workflows")
            listed.append(time.perf_counter() - began)

        flights: list[tuple[float, float]] = []

        async def start(inputs: dict[str, object]) -> tuple[float, str, dict[str, object]]:
            began = time.perf_counter()
            body = await call(
                base_url, "POST", "/api/runs", {"workflow": "chain", "inputs": inputs}, flights
            )
            return time.perf_counter() - began, str(body["id"]), body

        async def health() -> float:
            began = time.perf_counter()
            await call(base_url, "GET", "/health")
            return time.perf_counter() - began

        async def detail(run_id: str) -> float:
            began = time.perf_counter()
            await call(base_url, "GET", f"/api/runs/{run_id}")
            return time.perf_counter() - began

        # One at a time, nothing else running: what one start costs, with no queue to wait in.
        alone = [(await start({"seed": i}))[0] for i in range(20)]
        starting = [start({"slow": slow}) for _ in range(clients)]
        followed = [run_id for _, run_id, _ in await asyncio.gather(*starting)]
        followers = Followers(clients)
        streams = asyncio.gather(*(followers.follow(client, r) for r in followed))
        await asyncio.wait_for(followers.all_open.wait(), timeout=120)  # all streaming

        # The same burst on the route that does nothing: what the HTTP layer alone costs.
        cpu = cpu_seconds(server_pid)
        floor = await asyncio.gather(*(health() for _ in range(runs)))
        cpu_floor = cpu_seconds(server_pid) - cpu
        if profile:
            os.kill(server_pid, signal.SIGUSR1)
            await asyncio.sleep(0.1)  # its loop wakes up to run the handler
        burst_began, cpu, mine = time.time(), cpu_seconds(server_pid), time.process_time()
        flights.clear()
        started = await asyncio.gather(*(start({"seed": i}) for i in range(runs)))
        wall = time.time() - burst_began
        if profile:
            os.kill(server_pid, signal.SIGUSR2)
        cpu_starts, mine_starts = cpu_seconds(server_pid) - cpu, time.process_time() - mine
        cpu = cpu_seconds(server_pid)
        details = await asyncio.gather(*(detail(run_id) for _, run_id, _ in started))
        bursts = (burst_began, time.time())
        cpu_details = cpu_seconds(server_pid) - cpu
        received = await streams
    return Result(
        listed=listed,
        alone=alone,
        starts=[latency for latency, _, _ in started],
        details=details,
        wall=wall,
        queued=sum(body.get("queued") is not None for _, _, body in started),
        cpu={
            "starts": cpu_starts,
            "client": mine_starts,
            "details": cpu_details,
            "floor": cpu_floor,
        },
        floor=floor,
        in_flight=peak_in_flight(flights),
        followed=dict(zip(followed, received, strict=True)),
        opened=followers.opened,
        bursts=bursts,
    )


def report(result: Result, committed: dict[str, dict[str, float]], home: Path) -> None:
    runs = len(result.starts)
    first, second = result.listed
    print(f"GET /api/workflows: {first * 1000:.1f} ms, then {second * 1000:.1f} ms")
    print(f"start-run   one at a time (20): {figures(result.alone)}")
    print(
        f"GET /health {runs} concurrent: {figures(result.floor)}; "
        f"server CPU {result.cpu['floor']:.2f} s (the HTTP layer alone)"
    )
    print(
        f"start-run   {runs} concurrent: {figures(result.starts)}; all in {result.wall:.2f} s "
        f"({runs / result.wall:.0f}/s), {result.in_flight} in flight at the peak, "
        f"{result.queued} answered queued; "
        f"CPU: server {result.cpu['starts']:.2f} s, client {result.cpu['client']:.2f} s"
    )
    print(
        f"run-detail  {runs} concurrent: {figures(result.details)}; "
        f"server CPU {result.cpu['details']:.2f} s"
    )
    during: list[float] = []
    outside: list[float] = []
    began, ended = result.bursts
    with open_store(home=home) as store:
        for run_id, received in result.followed.items():
            seqs = [seq for seq, _ in received]
            journal = store.last_seq(run_id)
            assert seqs == list(range(1, journal + 1)), f"{run_id}: got {seqs}, journal {journal}"
            commits = committed.get(run_id, {})
            for seq, arrived in received:
                at = commits.get(str(seq))
                if at is not None and at > result.opened[run_id]:  # live, not replayed
                    (during if began <= at <= ended else outside).append(arrived - at)
        recorded = store.list_runs(limit=10_000)
    delays = during + outside
    if delays:
        print(
            f"SSE         {len(result.followed)} clients, {len(delays)} live events: "
            f"commit→client {figures(delays)}, max {max(delays) * 1000:.1f} ms"
        )
    else:  # a loaded machine: the followed runs ended before their streams opened
        print(
            f"SSE         {len(result.followed)} clients, no live event: every event was "
            "committed before its stream opened (replayed, in order); no delay measured"
        )
    for name, part in (("during the bursts", during), ("outside them", outside)):
        if part:
            print(f"            {len(part)} committed {name}: {figures(part)}")
    total = runs + len(result.followed) + len(result.alone)
    succeeded = sum(r.status.value == "succeeded" for r in recorded)
    print(f"recorded    {len(recorded)}/{total} runs, {succeeded} succeeded; every event once")
    assert len(recorded) == total and succeeded == total


def wait_finished(home: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with open_store(home=home) as store:
        while time.monotonic() < deadline:
            if all(r.status.finished for r in store.list_runs(limit=10_000)):
                return
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--slow", type=float, default=1.0, help="seconds a followed run sleeps")
    parser.add_argument("--max-runs", type=int, default=None, help="devora serve --max-runs")
    parser.add_argument(
        "--profile", type=Path, default=None, help="cProfile the server's start-run burst here"
    )
    parser.add_argument("--serve", nargs=2, metavar=("HOME", "TRACE"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        serve(Path(options.serve[0]), Path(options.serve[1]), options.max_runs, options.profile)
        return
    with tempfile.TemporaryDirectory() as where:
        home, trace = Path(where) / ".devora", Path(where) / "commits.json"
        process, url = launch(home, trace, options.max_runs, options.profile)
        try:
            load_ = load(
                url, process.pid, options.runs, options.clients, options.slow, bool(options.profile)
            )
            result = asyncio.run(load_)
            wait_finished(home, timeout=300)
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)
        report(result, json.loads(trace.read_text()), home)


if __name__ == "__main__":
    main()
