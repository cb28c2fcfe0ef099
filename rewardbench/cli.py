"""Command line: a thin layer that parses arguments and calls the library."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rewardbench.errors import ConfigError, RewardBenchError


def _parse_value(text: str) -> Any:
    """An option value from the command line: JSON when it parses (numbers, booleans, lists), else the string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _options(pairs: Sequence[str]) -> dict[str, Any]:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise RewardBenchError(f"--option expects KEY=VALUE, got {pair!r}")
        options[key.replace("-", "_")] = _parse_value(value)
    return options


def cmd_list(args: argparse.Namespace) -> None:
    from tabulate import tabulate

    if args.what == "rewards":
        from rewardbench.rewards import list_rewards

        rows = [
            [
                c.id,
                c.version,
                c.measures,
                c.range,
                "↑" if c.higher_is_better else "↓",
                c.checkpoint or "-",
                "offline" if c.offline else "hub",
            ]
            for c in list_rewards()
        ]
        print(tabulate(rows, ["id", "v", "measures", "range", "dir", "checkpoint", "needs"], tablefmt="github"))
    elif args.what == "models":
        from rewardbench.runtime.embedded import EMBEDDED, is_built

        entries = [EMBEDDED.get(name) for name in EMBEDDED.in_order()]
        rows = [
            [f"embedded:{m.name}", m.version, "built" if is_built(m.name) else "not built", m.description]
            for m in entries
        ]
        print(tabulate(rows, ["spec", "v", "state", "description"], tablefmt="github"))
    elif args.what == "policies":
        from rewardbench.policies import POLICIES

        rows = []
        for pid in POLICIES.in_order():
            cls = POLICIES.get(pid)
            rows.append(
                [pid, "yes" if cls.trains else "no", cls.kl_kind, _first_sentence(sys.modules[cls.__module__])]
            )
        print(tabulate(rows, ["id", "trains", "KL", "description"], tablefmt="github"))
    elif args.what == "tasks":
        from rewardbench.tasks import load_task, task_ids

        rows = []
        for tid in task_ids():
            task = load_task(tid)
            sources = ", ".join(f"{src} ({'no hub' if src == 'embedded' else 'model hub'})" for src in task.sources())
            rows.append([tid, _first_sentence(task.description), sources, ", ".join(task.presets)])
        print(tabulate(rows, ["id", "description", "sources", "presets"], tablefmt="github"))
    elif args.what == "judges":
        from rewardbench.rewards import REWARDS
        from rewardbench.runtime.models import source_kind
        from rewardbench.tasks import load_task

        if not args.task:
            raise RewardBenchError("list judges needs a task, e.g. rewardbench list judges dogecoin_negative")
        task = load_task(args.task)
        rows = []
        for role, spec in [(f"trained on ({src})", r) for src, r in task.reward.items()] + [
            ("judge", j) for j in task.judges
        ]:
            # the card with the task's options (its target), built without loading weights; none for a model path
            card = REWARDS.get(spec.id)(**spec.options).card if spec.id in REWARDS else None
            checkpoint = spec.options.get("model") or (card.checkpoint if card else spec.id)
            needs = "hub" if isinstance(checkpoint, str) and source_kind(checkpoint) == "hub" else "no hub"
            rows.append([spec.label, role, card.measures if card else "-", checkpoint or "-", needs])
        print(tabulate(rows, ["reward", "role", "measures", "checkpoint", "needs"], tablefmt="github"))


def _first_sentence(source: Any) -> str:
    """The first sentence of a docstring (or of a string), for one-line listings."""
    text = " ".join((source if isinstance(source, str) else (source.__doc__ or "")).split())
    return re.split(r"(?<=\.)\s+(?=[A-Z])", text, maxsplit=1)[0]


def cmd_score(args: argparse.Namespace) -> None:
    from tabulate import tabulate

    from rewardbench.rewards import load_reward

    options = _options(args.option)
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


def cmd_zoo_build(args: argparse.Namespace) -> None:
    from rewardbench.runtime import embedded

    for manifest in embedded.build_all(args.names or None, force=args.force):
        line = f"{manifest['name']} v{manifest['version']}: {embedded.path_of(manifest['name'])}"
        line += f" (built in {manifest['build_seconds']} s"
        if "heldout_metrics" in manifest:
            m = manifest["heldout_metrics"]
            line += (
                f"; held-out accuracy pos-vs-neg {m['accuracy_pos_vs_neg']:.1%} (n={m['n_pos_vs_neg']}), "
                f"3-class {m['accuracy_3class']:.1%} (n={m['n_3class']})"
            )
        if "reference_logits_max_abs_diff" in manifest:
            line += f"; logits within {manifest['reference_logits_max_abs_diff']:.1e} of its card"
        print(line + ")")


def cmd_zoo_train(args: argparse.Namespace) -> None:
    from rewardbench.zoo import minilm_tweets

    recipe = minilm_tweets.FullRecipe() if args.full else minilm_tweets.AdapterRecipe()
    card = json.loads(minilm_tweets.train(Path(args.out), recipe, precision=args.precision).read_text())
    m, v = card["heldout_metrics"], card["validation_metrics"]
    print(
        f"{card['name']} ({card['kind']}) trained in {card['train_seconds']} s: validation pos-vs-neg "
        f"{v['accuracy_pos_vs_neg']:.1%}, held-out pos-vs-neg {m['accuracy_pos_vs_neg']:.1%} "
        f"(3-class {m['accuracy_3class']:.1%}); written to {args.out}"
    )


def cmd_eval_rewards(args: argparse.Namespace) -> None:
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


def cmd_run(args: argparse.Namespace) -> None:
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
        policy_options.setdefault(pid, {}).update(_options([pair]))
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


def cmd_export(args: argparse.Namespace) -> None:
    from rewardbench.steering.export import export

    print(f"exported {export(args.run_dir, args.out)}")


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
    for path in report(args.directory):
        print(f"wrote {path}")


def cmd_bench(args: argparse.Namespace) -> None:
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


def _verb(sub: Any, name: str, help: str, *examples: str) -> argparse.ArgumentParser:
    """A subcommand whose ``--help`` ends with ``examples``."""
    return sub.add_parser(
        name,
        help=help,
        epilog="examples:\n" + "\n".join(f"  {c}" for c in examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _add_list(sub: Any) -> None:
    p = _verb(
        sub,
        "list",
        "list rewards, embedded models, policies, tasks, or a task's judges",
        "rewardbench list rewards",
        "rewardbench list policies",
        "rewardbench list judges dogecoin_negative",
    )
    p.add_argument("what", choices=["rewards", "models", "policies", "tasks", "judges"])
    p.add_argument("task", nargs="?", help="the task whose judges to list (list judges TASK)")
    p.set_defaults(func=cmd_list)


def _add_score(sub: Any) -> None:
    p = _verb(
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


def _add_eval_rewards(sub: Any) -> None:
    p = _verb(
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


def _add_run(sub: Any) -> None:
    p = _verb(
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
    _precision_argument(p, "training precision")
    p.add_argument(
        "--executor",
        default="local",
        help="local (this machine, --jobs cells at once; default) or ray: every cell a Ray task "
        "(pip install 'rewardbench[ray]')",
    )
    p.add_argument("--ray-address", help="join this Ray cluster (default: start a local Ray on this machine)")
    p.set_defaults(func=cmd_run)


def _add_export(sub: Any) -> None:
    p = _verb(
        sub,
        "export",
        "copy a run's trained policy out as a plain Hugging Face model folder",
        "rewardbench export runs/dogecoin_negative/runs/trl-ppo__sentiment-minilm-tweets-negative__seed0 "
        "--out my-policy",
    )
    p.add_argument("run_dir", help="a run folder: RESULTS/TASK/runs/POLICY__REWARD__seedN")
    p.add_argument("--out", required=True, help="destination folder (must not exist)")
    p.set_defaults(func=cmd_export)


def _add_report(sub: Any) -> None:
    p = _verb(
        sub,
        "report",
        "render LEADERBOARD.md and plots from result JSON files",
        "rewardbench report runs/dogecoin_negative",
        "rewardbench report results/rewards",
    )
    p.add_argument("directory", help="folder with result JSON files, e.g. results/rewards")
    p.set_defaults(func=cmd_report)


def _add_bench(sub: Any) -> None:
    p = _verb(
        sub,
        "bench",
        "scoring and training throughput against the seeds' way -> BENCH.md",
        "rewardbench bench --out results/bench",
        "rewardbench bench --part scoring --case vader --repeats 1",
    )
    p.add_argument(
        "--out", default="results/bench", help="folder for BENCH.md and bench.json (default: results/bench)"
    )
    p.add_argument("--part", action="append", help="scoring, training or precision (repeatable; default: all three)")
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


def _precision_argument(parser: argparse.ArgumentParser, what: str) -> None:
    from rewardbench.runtime.precision import PRECISIONS

    parser.add_argument(
        "--precision",
        default="auto",
        choices=PRECISIONS,
        help=f"{what}: auto (default: bf16 mixed precision where a bf16 matmul is measured faster than fp32 on this "
        "machine, as on CUDA and CPUs with bf16 matrix units), fp32, or bf16",
    )


def _add_zoo(sub: Any) -> None:
    p = _verb(
        sub,
        "zoo",
        "the embedded model zoo",
        "rewardbench zoo build",
        "rewardbench zoo build smollm2-135m --force",
    )
    zoo_sub = p.add_subparsers(dest="zoo_command", required=True)
    b = zoo_sub.add_parser("build", help="build (once) and cache the embedded models; prints their checks")
    b.add_argument("names", nargs="*", help="models to build (default: all)")
    b.add_argument("--force", action="store_true", help="rebuild even if cached")
    b.set_defaults(func=cmd_zoo_build)
    t = zoo_sub.add_parser(
        "train",
        help="rerun the classifier's recipe: adapters and card to ship (default), or --full: v1's full fine-tune",
    )
    t.add_argument("name", choices=["sentiment-minilm-tweets"], help="the model whose recipe to run")
    t.add_argument("--out", required=True, help="folder for the weights and card (copy them over zoo/weights/)")
    t.add_argument("--full", action="store_true", help="fine-tune every weight (v1's recipe) instead of adapters")
    t.add_argument("--precision", choices=["fp32", "bf16"], default="fp32", help="training precision (default fp32)")
    t.set_defaults(func=cmd_zoo_train)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rewardbench", description="Reward-model zoo and RL steering benchmark.")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (_add_list, _add_score, _add_eval_rewards, _add_run, _add_export, _add_report, _add_bench, _add_zoo):
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except RewardBenchError as exc:
        print(f"rewardbench: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
