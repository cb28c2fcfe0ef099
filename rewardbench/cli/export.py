"""`rewardbench export`: a run's trained policy as a plain Hugging Face folder."""

from __future__ import annotations

import argparse
from typing import Any

from rewardbench.cli._common import verb


def cmd_export(args: argparse.Namespace) -> None:
    from rewardbench.steering.export import export

    print(f"exported {export(args.run_dir, args.out)}")


def add(sub: Any) -> None:
    p = verb(
        sub,
        "export",
        "copy a run's trained policy out as a plain Hugging Face model folder",
        "rewardbench export runs/dogecoin_negative/runs/trl-ppo__sentiment-minilm-tweets-negative__seed0 "
        "--out my-policy",
    )
    p.add_argument("run_dir", help="a run folder: RESULTS/TASK/runs/POLICY__REWARD__seedN")
    p.add_argument("--out", required=True, help="destination folder (must not exist)")
    p.set_defaults(func=cmd_export)
