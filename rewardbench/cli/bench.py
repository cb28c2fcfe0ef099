"""`rewardbench bench`: scoring and training throughput -> BENCH.md (needs `[bench]`)."""

from __future__ import annotations

import argparse
from typing import Any

from rewardbench.cli._common import verb
from rewardbench.extras import require_extra


def cmd_bench(args: argparse.Namespace) -> None:
    require_extra("bench", "rewardbench bench")
    from rewardbench.bench import CASES, PARTS, BenchConfig, render_only, run_bench
    from rewardbench.policies import trained_policy_ids

    if args.render_only:
        print(f"wrote {render_only(args.out)}")
        return
    config = BenchConfig(
        out=args.out,
        parts=tuple(args.part or PARTS),
        cases=tuple(args.case or CASES),
        batch_sizes=tuple(args.batch_sizes),
        document_batch_sizes=tuple(args.document_batch_sizes),
        policies=tuple(args.policy or trained_policy_ids()),
        task=args.task,
        preset=args.preset,
        steps=args.steps,
        repeats=args.repeats,
        resume=args.resume,
    )
    run_bench(config)


def add(sub: Any) -> None:
    p = verb(
        sub,
        "bench",
        "scoring and training throughput against the seeds' way -> BENCH.md",
        "rewardbench bench --out results/bench",
        "rewardbench bench --part scoring --case vader --repeats 1",
    )
    p.add_argument(
        "--out", default="results/bench", help="folder for BENCH.md and bench.json (default: results/bench)"
    )
    p.add_argument(
        "--part", action="append", help="scoring, training, precision or serving (repeatable; default: all four)"
    )
    p.add_argument("--case", action="append", help="scoring case (repeatable; default: every embedded reward)")
    p.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 8, 64, 256], help="texts per reward call")
    p.add_argument(
        "--document-batch-sizes", type=int, nargs="+", default=[1, 8, 64], help="documents per summary-fill call"
    )
    p.add_argument(
        "--policy", action="append", help="trainer of the training part (repeatable; default: all that train)"
    )
    p.add_argument("--task", default="dogecoin_negative", help="task of the training part")
    p.add_argument("--preset", default="", help="preset of the training part (default: gpu with CUDA, else cpu)")
    p.add_argument("--steps", type=int, default=3, help="training steps timed per policy")
    p.add_argument("--repeats", type=int, default=3, help="timed repeats per scoring measurement")
    p.add_argument("--resume", action="store_true", help="keep the cases an interrupted bench already measured")
    p.add_argument("--render-only", action="store_true", help="re-render BENCH.md from OUT/bench.json")
    p.set_defaults(func=cmd_bench)
