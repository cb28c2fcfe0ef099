"""The reward server under load and bad input, over loopback, measured (never asserted).

A fixed number of clients each send a fixed number of requests (so it stops by itself) to a ``rewardbench serve``
app run by uvicorn in a thread of this process; the same reward is then called in-process at the same batch, the
same number of times. Then a catalogue of bad requests, each followed by a good one to see the server still serves.
"""

from __future__ import annotations

import http.client
import json
import socket
import statistics
import threading
import time
from typing import Any

from rewardbench.io import git_commit, machine
from rewardbench.serve.app import RewardServer, build_app

TOKEN = "bench-token"
TEXTS = [" is a scam and a hoax", " is wonderful and i love it", " went up today", " is boring", " fell again"]

#: name, path, body, send the token; each must get a 4xx
BAD_REQUESTS: list[tuple[str, str, bytes, bool]] = [
    ("malformed JSON", "/rewards/{id}/score", b'{"completions": [', True),
    ("wrong types", "/rewards/{id}/score", b'{"completions": "one text"}', True),
    ("a number as a text", "/rewards/{id}/score", b'{"completions": [3]}', True),
    ("empty lists", "/rewards/{id}/score", b'{"prompts": [], "completions": []}', True),
    ("length mismatch", "/rewards/{id}/score", b'{"prompts": ["a"], "completions": ["b", "c"]}', True),
    ("unknown field", "/rewards/{id}/score", b'{"completions": ["b"], "temperature": 1}', True),
    ("unknown reward option", "/rewards/{id}/score", b'{"completions": ["b"], "options": {"targt": "x"}}', True),
    ("unknown reward", "/rewards/no-such-reward/score", b'{"completions": ["b"]}', True),
    ("OpenRLHF query without its prompt", "/get_reward", b'{"query": ["xyz"], "prompts": ["abc"]}', True),
    ("oversize body (5 MiB)", "/rewards/{id}/score", b'{"completions": ["' + b"a" * (5 << 20) + b'"]}', True),
    ("missing token", "/rewards/{id}/score", b'{"completions": ["b"]}', False),
]


def _post(conn: http.client.HTTPConnection, path: str, body: bytes, token: bool = True) -> tuple[int, dict]:
    headers = {"content-type": "application/json", **({"authorization": f"Bearer {TOKEN}"} if token else {})}
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"{}")


def _latency(seconds: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {"p50_ms": 1000 * statistics.median(seconds), "p99_ms": 1000 * cuts[98]}


def measure_serving(reward_id: str = "vader", *, clients: int = 8, requests: int = 50, batch: int = 1) -> dict:
    """Throughput and latency of ``clients`` x ``requests`` requests of ``batch`` texts, in-process at the same
    batch, and the bad-request catalogue (status, message, whether the next good request was served)."""
    import uvicorn

    server = RewardServer({reward_id: {}}, token=TOKEN)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(build_app(server), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    while not uv.started:
        time.sleep(0.01)
    path = f"/rewards/{reward_id}/score"
    body = json.dumps({"completions": [TEXTS[i % len(TEXTS)] for i in range(batch)]}).encode()
    try:
        latencies: list[float] = []
        lock = threading.Lock()

        def client() -> None:
            conn, mine = http.client.HTTPConnection("127.0.0.1", port, timeout=60), []
            for _ in range(requests):
                start = time.perf_counter()
                status, _ = _post(conn, path, body)
                mine.append(time.perf_counter() - start)
                assert status == 200, status
            with lock:
                latencies.extend(mine)

        _post(http.client.HTTPConnection("127.0.0.1", port), path, body)  # warm-up: the first call's set-up
        batcher = next(iter(server.batchers.values()))
        calls_before = len(batcher.calls)
        start = time.perf_counter()
        workers = [threading.Thread(target=client) for _ in range(clients)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        wall = time.perf_counter() - start
        calls = batcher.calls[calls_before:]
        catalogue = _catalogue(port, reward_id)
    finally:
        uv.should_exit = True
        thread.join(timeout=30)
    in_process = _in_process(batcher.reward, batch, clients * requests)
    n = clients * requests
    return {
        "reward": reward_id,
        "clients": clients,
        "requests": n,
        "batch": batch,
        "server": {
            "seconds": wall,
            "requests_per_s": n / wall,
            "texts_per_s": n * batch / wall,
            **_latency(latencies),
        },
        "reward_calls": len(calls),
        "texts_per_reward_call": statistics.fmean(calls) if calls else 0.0,
        "in_process": in_process,
        "bad_requests": catalogue,
        "machine": machine(),
        "git_commit": git_commit(),
    }


def _in_process(reward: Any, batch: int, n: int) -> dict[str, float]:
    completions = [TEXTS[i % len(TEXTS)] for i in range(batch)]
    seconds = []
    start = time.perf_counter()
    for _ in range(n):
        t = time.perf_counter()
        reward(prompts=[""] * batch, completions=completions)
        seconds.append(time.perf_counter() - t)
    wall = time.perf_counter() - start
    return {"seconds": wall, "requests_per_s": n / wall, "texts_per_s": n * batch / wall, **_latency(seconds)}


def _catalogue(port: int, reward_id: str) -> list[dict[str, Any]]:
    rows = []
    for name, path, body, token in BAD_REQUESTS:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            status, reply = _post(conn, path.format(id=reward_id), body, token)
        except (ConnectionError, http.client.HTTPException) as exc:  # the server closed on an oversize body
            status, reply = 0, {"error": f"{type(exc).__name__}: {exc}"}
        good = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        served = _post(good, f"/rewards/{reward_id}/score", b'{"completions": ["ok"]}')[0] == 200
        rows.append({"request": name, "status": status, "error": reply.get("error", ""), "served_after": served})
    return rows
