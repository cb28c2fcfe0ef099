"""`rewardbench score`: score completions with one reward (core install)."""

from __future__ import annotations

import argparse
from typing import Any

from rewardbench.cli._common import parse_options, verb


def cmd_score(args: argparse.Namespace) -> None:
    from tabulate import tabulate

    from rewardbench.rewards import load_reward

    options = parse_options(args.option)
    if args.target:
        options["target"] = args.target
    if args.mode:
        options["mode"] = args.mode
    reward = load_reward(args.reward, **options)
    scores = reward(prompts=[args.prompt] * len(args.texts), completions=list(args.texts))
    print(
        tabulate(
            [[t, f"{s:.4f}"] for t, s in zip(args.texts, scores)],
            ["completion", f"{reward.id} v{reward.version}"],
            tablefmt="github",
        )
    )


def add(sub: Any) -> None:
    p = verb(
        sub,
        "score",
        "score completions with one reward",
        'rewardbench score --reward vader --target negative "what a scam" "i love it"',
        'rewardbench score --reward sentiment-minilm-tweets --prompt "i think dogecoin is" " a scam"',
    )
    p.add_argument(
        "--reward", required=True, help="reward id (see `rewardbench list rewards`), model folder or hub id"
    )
    p.add_argument("--prompt", default="", help="prompt shared by every text (default: none)")
    p.add_argument("--target", help="target label, e.g. negative")
    p.add_argument("--mode", help="scoring mode of the reward, e.g. prob, logit, margin")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE", help="any other reward option")
    p.add_argument("texts", nargs="+", help="completions to score")
    p.set_defaults(func=cmd_score)
