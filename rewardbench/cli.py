"""Command line: a thin layer that parses arguments and calls the library."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from rewardbench.errors import RewardBenchError


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

        rows = [[c.id, c.version, c.measures, c.range, "↑" if c.higher_is_better else "↓", c.checkpoint or "-",
                 "offline" if c.offline else "hub"] for c in list_rewards()]
        print(tabulate(rows, ["id", "v", "measures", "range", "dir", "checkpoint", "needs"], tablefmt="github"))
    elif args.what == "models":
        from rewardbench import zoo

        rows = [[f"embedded:{m.name}", m.version, "built" if zoo.is_built(m.name) else "not built", m.description]
                for m in zoo.EMBEDDED.values()]
        print(tabulate(rows, ["spec", "v", "state", "description"], tablefmt="github"))


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
    print(tabulate([[t, f"{s:.4f}"] for t, s in zip(args.texts, scores)],
                   ["completion", f"{reward.id} v{reward.version}"], tablefmt="github"))


def cmd_zoo_build(args: argparse.Namespace) -> None:
    from rewardbench import zoo

    for manifest in zoo.build_all(args.names or None, force=args.force):
        line = f"{manifest['name']} v{manifest['version']}: {zoo.path_of(manifest['name'])}"
        line += f" (built in {manifest['build_seconds']} s"
        if "heldout_metrics" in manifest:
            m = manifest["heldout_metrics"]
            line += (f"; held-out accuracy pos-vs-neg {m['accuracy_pos_vs_neg']:.1%} (n={m['n_pos_vs_neg']}), "
                     f"3-class {m['accuracy_3class']:.1%} (n={m['n_3class']})")
        print(line + ")")


def cmd_eval_rewards(args: argparse.Namespace) -> None:
    from pathlib import Path

    from rewardbench.provenance import write_json_atomic
    from rewardbench.reward_eval import EvalConfig, evaluate

    config = EvalConfig(suite=args.suite, source=args.source, seed=args.seed, n_pairs=args.n_pairs,
                        n_documents=args.n_documents, rewards=tuple(args.reward))
    result = evaluate(config)
    suffix = "" if args.source == "embedded" else f"_{args.source}"
    path = write_json_atomic(Path(args.out) / f"{args.suite}{suffix}.json", result)
    print(f"wrote {path} ({len(result['rows'])} rows, {len(result['skipped'])} rewards skipped)")
    for skip in result["skipped"]:
        print(f"  skipped {skip['reward']}: {skip['reason']}")


def cmd_report(args: argparse.Namespace) -> None:
    from rewardbench.report import report

    for path in report(args.directory):
        print(f"wrote {path}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rewardbench", description="Reward-model zoo and RL steering benchmark.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="list registered rewards or embedded models")
    p.add_argument("what", choices=["rewards", "models"])
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("score", help="score completions with one reward")
    p.add_argument("--reward", required=True, help="reward id (see `rewardbench list rewards`), model folder or hub id")
    p.add_argument("--prompt", default="", help="prompt shared by every text (default: none)")
    p.add_argument("--target", help="target label, e.g. negative")
    p.add_argument("--mode", help="scoring mode of the reward, e.g. prob, logit, margin")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE", help="any other reward option")
    p.add_argument("texts", nargs="+", help="completions to score")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("eval-rewards", help="how often rewards agree with labelled preferences")
    p.add_argument("--suite", required=True, help="sentiment, summary or probes")
    p.add_argument("--source", default="embedded", help="embedded (no hub, default) or hub (adds the seeds' data)")
    p.add_argument("--reward", action="append", default=[], help="reward id to evaluate (repeatable; default: all that fit)")
    p.add_argument("--seed", type=int, default=0, help="pair sampling, masking and bootstrap seed")
    p.add_argument("--n-pairs", type=int, default=500, help="sentiment pairs per direction and pair set")
    p.add_argument("--n-documents", type=int, default=100, help="summary documents per pair set")
    p.add_argument("--out", default="results/rewards", help="folder for the result JSON")
    p.set_defaults(func=cmd_eval_rewards)

    p = sub.add_parser("report", help="render LEADERBOARD.md and plots from result JSON files")
    p.add_argument("directory", help="folder with result JSON files, e.g. results/rewards")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("zoo", help="the embedded model zoo")
    zoo_sub = p.add_subparsers(dest="zoo_command", required=True)
    b = zoo_sub.add_parser("build", help="build (once) and cache the embedded models; prints their checks")
    b.add_argument("names", nargs="*", help="models to build (default: all)")
    b.add_argument("--force", action="store_true", help="rebuild even if cached")
    b.set_defaults(func=cmd_zoo_build)
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
