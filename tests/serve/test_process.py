"""`rewardbench serve` as a process: binds 127.0.0.1, serves over real sockets, stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(*args: str, env: dict[str, str] | None = None):
    """A running ``rewardbench serve ARGS`` and its base URL; stopped with SIGTERM afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "rewardbench", "serve", "--port", str(port), *args]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/health", timeout=1)
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None, proc.stdout.read()
                time.sleep(0.1)
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def post(url: str, body: dict, token: str | None = None) -> tuple[int, dict]:
    headers = {"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})}
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_serve_answers_on_loopback_and_shuts_down_cleanly_on_sigterm():
    with serving("--reward", "vader", "--option", "vader:target=negative") as (proc, url):
        status, body = post(f"{url}/rewards/vader/score", {"completions": ["what a scam", "i love it"]})
        assert status == 200 and body["rewards"][0] > body["rewards"][1]
        assert post(f"{url}/rewards/vader/score", {"completions": []})[0] == 422
        assert post(f"{url}/get_reward", {"query": ["a scam"], "prompts": ["a"], "labels": [None]})[0] == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        log = proc.stdout.read()
    assert "127.0.0.1" in log and "Finished server process" in log


def test_serve_with_a_token_from_the_environment():
    import os

    env = {**os.environ, "RB_TOKEN": "s3cret"}
    with serving("--reward", "vader", "--token-env", "RB_TOKEN", env=env) as (_, url):
        assert post(f"{url}/rewards/vader/score", {"completions": ["x"]})[0] == 401
        assert post(f"{url}/rewards/vader/score", {"completions": ["x"]}, token="s3cret")[0] == 200
