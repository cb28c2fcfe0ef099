"""`rewardbench serve`: an HTTP reward server (OpenRLHF's protocol and a plain JSON route; needs `[serve]`)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from rewardbench.cli._common import parse_options, verb
from rewardbench.errors import RewardBenchError


def cmd_serve(args: argparse.Namespace) -> None:
    from rewardbench.serve import ServeConfig, serve

    rewards: dict[str, dict[str, Any]] = {rid: {} for rid in args.reward}
    for item in args.option:
        rid, sep, pair = item.partition(":")
        if not sep or rid not in rewards:
            raise RewardBenchError(f"--option expects REWARD:KEY=VALUE for a --reward of this server, got {item!r}")
        rewards[rid].update(parse_options([pair]))
    token = os.environ.get(args.token_env) if args.token_env else None
    if args.token_env and not token:
        raise RewardBenchError(f"--token-env {args.token_env}: that environment variable is not set")
    serve(
        ServeConfig(
            rewards=rewards,
            host=args.host,
            port=args.port,
            token=token,
            max_body_bytes=args.max_body_bytes,
            strip=tuple(args.strip),
        )
    )


def add(sub: Any) -> None:
    p = verb(
        sub,
        "serve",
        "serve rewards over HTTP (OpenRLHF --remote_rm_url, or POST /rewards/ID/score)",
        "rewardbench serve --reward vader",
        "rewardbench serve --reward sentiment-minilm-tweets --option sentiment-minilm-tweets:target=negative",
        "REWARDBENCH_TOKEN=secret rewardbench serve --reward vader --token-env REWARDBENCH_TOKEN --port 9000",
    )
    p.add_argument("--reward", action="append", required=True, help="reward id to serve (repeatable; first: default)")
    p.add_argument("--option", action="append", default=[], metavar="REWARD:KEY=VALUE", help="a reward's option")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    p.add_argument("--token-env", help="require 'Authorization: Bearer TOKEN', the token read from this variable")
    p.add_argument("--max-body-bytes", type=int, default=4 * 1024 * 1024, help="request size limit (default 4 MiB)")
    p.add_argument(
        "--strip",
        action="append",
        default=[],
        metavar="TOKEN",
        help="remove TOKEN from the end of OpenRLHF responses (its special tokens; repeatable)",
    )
    p.set_defaults(func=cmd_serve)
