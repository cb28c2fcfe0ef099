"""`rewardbench report`: leaderboards and plots from result files (needs `[bench]`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rewardbench.cli._common import verb
from rewardbench.errors import ConfigError
from rewardbench.extras import require_extra


def report(directory: str | Path) -> list[Path]:
    """Render a results folder: a steering leaderboard from run files, else one from reward-evaluation files."""
    from rewardbench.reward_eval.report import report as reward_eval_report
    from rewardbench.steering.report import report_runs
    from rewardbench.steering.results import load_runs

    directory = Path(directory)
    if not directory.is_dir():
        raise ConfigError(f"results directory {str(directory)!r} does not exist")
    runs = load_runs([directory])
    return report_runs(directory, runs) if runs else reward_eval_report(directory)


def cmd_report(args: argparse.Namespace) -> None:
    require_extra("bench", "rewardbench report")
    for path in report(args.directory):
        print(f"wrote {path}")


def add(sub: Any) -> None:
    p = verb(
        sub,
        "report",
        "render LEADERBOARD.md and plots from result JSON files",
        "rewardbench report runs/dogecoin_negative",
        "rewardbench report results/rewards",
    )
    p.add_argument("directory", help="folder with result JSON files, e.g. results/rewards")
    p.set_defaults(func=cmd_report)
