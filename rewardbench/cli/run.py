"""`rewardbench run`: train and evaluate the grid of a task (needs `[bench]`)."""

from __future__ import annotations

import argparse
from typing import Any

from rewardbench.cli._common import parse_options, precision_argument, verb
from rewardbench.cli.report import report
from rewardbench.errors import RewardBenchError
from rewardbench.extras import require_extra


def cmd_run(args: argparse.Namespace) -> None:
    require_extra("bench", "rewardbench run")
    from rewardbench.steering.harness import run
    from rewardbench.steering.planning import RunConfig

    shard = (1, 1)
    if args.shard:
        index, sep, count = args.shard.partition("/")
        if not sep or not index.isdigit() or not count.isdigit():
            raise RewardBenchError(f"--shard expects I/N such as 1/4, got {args.shard!r}")
        shard = (int(index), int(count))
    policy_options: dict[str, dict[str, Any]] = {}
    for item in args.policy_option:
        pid, sep, pair = item.partition(":")
        if not sep:
            raise RewardBenchError(f"--policy-option expects POLICY:KEY=VALUE, got {item!r}")
        policy_options.setdefault(pid, {}).update(parse_options([pair]))
    config = RunConfig(
        task=args.task,
        source=args.source,
        preset=args.preset,
        policies=tuple(args.policy),
        rewards=tuple(args.reward),
        seeds=tuple(args.seeds),
        out=args.out,
        shard=shard,
        policy_options=policy_options,
        keep_policy=not args.no_keep_policy,
        progress=not args.no_progress,
        report_to=args.report_to,
        precision=args.precision,
        tune=args.tune,
        jobs=args.jobs,
        live_report=args.report and args.executor == "local",
        verbose=args.verbose,
    )
    if args.executor == "ray":
        from rewardbench.steering.ray_executor import run_on_ray

        outcomes = run_on_ray(config, address=args.ray_address)
    elif args.executor == "local":
        if args.ray_address:
            raise RewardBenchError("--ray-address needs --executor ray")
        outcomes = run(config)
    else:
        raise RewardBenchError(f"--executor must be local or ray, got {args.executor!r}")
    failed = [o for o in outcomes if o.status == "failed"]
    busy = sum(o.status == "busy" for o in outcomes)
    print(
        f"\n{sum(o.status in ('done', 'skipped') for o in outcomes)} of {len(outcomes)} runs finished "
        f"({sum(o.status == 'skipped' for o in outcomes)} from an earlier invocation"
        + (f"; {busy} being run by another process" if busy else "")
        + ")."
    )
    for o in outcomes:
        print(f"  {o.status:8} {o.spec.name}: {o.path or o.error}")
    # OUT/TASK from any finished run's OUT/TASK/runs/NAME/result.json (the first run may have failed)
    task_dir = next((o.path.parents[2] for o in outcomes if o.path), None)
    if args.report and task_dir is not None:
        if config.live_report:  # rendered after every finished cell; its last render is the board
            print(f"leaderboard: {task_dir / 'LEADERBOARD.md'}")
        else:
            for path in report(task_dir):
                print(f"wrote {path}")
    if failed:
        causes = "; ".join(f"{o.spec.name}: {o.error}" for o in failed)
        raise RewardBenchError(
            f"{len(failed)} run(s) failed ({causes}); finished runs are kept, rerun the same command to retry"
        )


def add(sub: Any) -> None:
    p = verb(
        sub,
        "run",
        "train every (reward, policy, seed) of a task and evaluate on held-out prompts",
        "rewardbench run --task dogecoin_negative",
        "rewardbench run --task tweets_positive --policy trl-grpo --seeds 0 1 2 --report-to tensorboard",
        "rewardbench run --task dogecoin_negative --seeds 0 1 2 --executor ray",
        "rewardbench run --task dogecoin_negative --seeds 0 1 2 --executor ray --ray-address HEAD_IP:6379",
        "rewardbench run --task dogecoin_negative --policy-option trl-ppo:kl_coef=0.1",
        "rewardbench run --task dogecoin_negative --jobs 2 --verbose",
    )
    p.add_argument(
        "--task", required=True, help="task id (dogecoin_negative, tweets_negative, ...) or a task YAML path"
    )
    p.add_argument("--source", default="embedded", help="embedded (no hub, default) or hub (the seeds' models/data)")
    p.add_argument("--preset", default="cpu", help="cpu (minutes on 2 cores, default) or gpu (the seeds' scale)")
    p.add_argument("--policy", action="append", default=[], help="policy id (repeatable; default: the preset's)")
    p.add_argument(
        "--reward", action="append", default=[], help="training reward id (repeatable; default: the task's)"
    )
    p.add_argument("--seeds", type=int, nargs="+", default=[0], help="seeds, one run each (default: 0)")
    p.add_argument("--out", default="runs", help="results root; runs go to OUT/TASK/runs/ (default: runs)")
    p.add_argument("--shard", help="I/N: run only the I-th of N shares of the grid (for several machines)")
    p.add_argument(
        "--policy-option",
        action="append",
        default=[],
        metavar="POLICY:KEY=VALUE",
        help="policy option override, e.g. trl-ppo:kl_coef=0.1 (repeatable)",
    )
    p.add_argument(
        "--tune",
        action="store_true",
        help="evaluate on training prompts instead of held-out ones (tuning a preset; use an --out of its own)",
    )
    p.add_argument("--no-keep-policy", action="store_true", help="delete trained models after evaluation")
    p.add_argument("--no-report", dest="report", action="store_false", help="no leaderboard (default: after each run)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument(
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="cells run at once, each in its own process with its share of the cores as threads (1: in this "
        "process; default: the cores over the preset's run_cpus)",
    )
    p.add_argument(
        "--verbose",
        action="store_true",
        help="also show the libraries' output (load reports, warnings, trainer logs); it always goes to each "
        "cell's log.txt",
    )
    p.add_argument(
        "--report-to",
        default="none",
        metavar="TRACKER",
        help="experiment tracker, one run per grid cell: none (default), tensorboard, trackio or wandb",
    )
    precision_argument(p, "training precision")
    p.add_argument(
        "--executor",
        default="local",
        help="local (this machine, --jobs cells at once; default) or ray: every cell a Ray task "
        "(pip install 'rewardbench[ray]')",
    )
    p.add_argument("--ray-address", help="join this Ray cluster (default: start a local Ray on this machine)")
    p.set_defaults(func=cmd_run)
