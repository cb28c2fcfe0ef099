"""`rewardbench eval-rewards`: how often rewards agree with labelled preferences (needs `[bench]`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rewardbench.cli._common import verb
from rewardbench.extras import require_extra


def cmd_eval_rewards(args: argparse.Namespace) -> None:
    require_extra("bench", "rewardbench eval-rewards")
    from rewardbench.reward_eval.results import write_result
    from rewardbench.reward_eval.suites import EvalConfig, evaluate

    config = EvalConfig(
        suite=args.suite,
        source=args.source,
        seed=args.seed,
        n_pairs=args.n_pairs,
        n_documents=args.n_documents,
        rewards=tuple(args.reward),
    )
    result = evaluate(config)
    suffix = "" if args.source == "embedded" else f"_{args.source}"
    path = write_result(Path(args.out) / f"{args.suite}{suffix}.json", result)
    print(f"wrote {path} ({len(result['rows'])} rows, {len(result['skipped'])} rewards skipped)")
    for skip in result["skipped"]:
        print(f"  skipped {skip['reward']}: {skip['reason']}")


def add(sub: Any) -> None:
    p = verb(
        sub,
        "eval-rewards",
        "how often rewards agree with labelled preferences",
        "rewardbench eval-rewards --suite sentiment",
        "rewardbench eval-rewards --suite probes --reward vader --reward textblob",
    )
    p.add_argument("--suite", required=True, help="sentiment, summary or probes")
    p.add_argument("--source", default="embedded", help="embedded (no hub, default) or hub (adds the seeds' data)")
    p.add_argument(
        "--reward", action="append", default=[], help="reward id to evaluate (repeatable; default: all that fit)"
    )
    p.add_argument("--seed", type=int, default=0, help="pair sampling, masking and bootstrap seed")
    p.add_argument("--n-pairs", type=int, default=500, help="sentiment pairs per direction and pair set")
    p.add_argument("--n-documents", type=int, default=100, help="summary documents per pair set")
    p.add_argument("--out", default="results/rewards", help="folder for the result JSON")
    p.set_defaults(func=cmd_eval_rewards)
