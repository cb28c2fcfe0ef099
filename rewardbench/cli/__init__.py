"""Command line: a thin layer that parses arguments and calls the library, one module per verb.

To add a verb: copy ``score.py`` (a verb of the core install) or ``run.py`` (one that needs ``[bench]``): a
``cmd_NAME(args)`` that calls the library and an ``add(sub)`` that declares its arguments with examples; then add
the module to ``VERBS`` below. Errors the library raises on purpose (:class:`RewardBenchError`) end the command
with one line and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rewardbench.cli import bench, eval_rewards, export, listing, report, run, score, serve, zoo
from rewardbench.errors import RewardBenchError

__all__ = ["build_parser", "main"]

#: the verbs in the order ``rewardbench --help`` lists them
VERBS = (listing, score, eval_rewards, run, export, report, bench, zoo, serve)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rewardbench", description="Reward-model zoo and RL steering benchmark.")
    sub = parser.add_subparsers(dest="command", required=True)
    for verb in VERBS:
        verb.add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except RewardBenchError as exc:
        print(f"rewardbench: error: {exc}", file=sys.stderr)
        return 2
    return 0
