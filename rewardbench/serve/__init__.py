"""``rewardbench serve``: zoo rewards over HTTP, for OpenRLHF's ``--remote_rm_url`` and any other client.

- :mod:`~rewardbench.serve.app`: the Starlette app (routes, validation, error codes).
- :mod:`~rewardbench.serve.batching`: one queue per reward, concurrent requests gathered into one reward call.

Routes: ``GET /rewards`` (the cards), ``POST /rewards/ID/score`` (``{"prompts", "completions"}`` ->
``{"rewards"}``), ``POST /rewards/ID/openrlhf`` and ``POST /get_reward`` (the first reward) with OpenRLHF's
``{"query", "prompts", "labels"}`` -> ``{"rewards", "scores", "extra_logs"}``, ``GET /health``. To add a framework's
route: its translation goes in ``rewardbench/integrations/NAME.py``, its route in ``app.py`` beside ``openrlhf``.
Needs ``pip install 'rewardbench[serve]'`` (Starlette and uvicorn).
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from typing import Any

from rewardbench.extras import require_extra

__all__ = ["ServeConfig", "serve"]


@dataclass(frozen=True)
class ServeConfig:
    """One ``rewardbench serve``."""

    rewards: dict[str, dict[str, Any]] = field(default_factory=dict)  #: reward id -> its options, built at start
    host: str = "127.0.0.1"  #: interface to bind (127.0.0.1: this machine only)
    port: int = 8000  #: TCP port (0: any free port)
    token: str | None = None  #: when set, every request needs ``Authorization: Bearer TOKEN``
    max_body_bytes: int = 4 * 1024 * 1024  #: larger request bodies are refused with 413
    #: strings removed from the end of an OpenRLHF response (its special tokens, e.g. ``<|im_end|>``), repeatedly
    strip: tuple[str, ...] = ()
    log_level: str = "info"  #: uvicorn's log level


def serve(config: ServeConfig) -> None:
    """Build the rewards, then serve until SIGINT/SIGTERM (uvicorn finishes open requests, then stops)."""
    require_extra("serve", "rewardbench serve")
    import uvicorn

    from rewardbench.serve.app import RewardServer, build_app

    server = RewardServer(config.rewards, token=config.token, max_body_bytes=config.max_body_bytes, strip=config.strip)
    app = build_app(server)
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal under the handler it found: with this one
    # the process exits with status 0 instead of being killed by it (also when SIGTERM comes before uvicorn starts)
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(app, host=config.host, port=config.port, log_level=config.log_level, timeout_graceful_shutdown=10)


def _exit_cleanly(signum: int, frame: Any) -> None:
    raise SystemExit(0)
