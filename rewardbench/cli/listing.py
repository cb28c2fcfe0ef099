"""`rewardbench list`: rewards, embedded models, policies, tasks, a task's judges."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rewardbench.cli._common import first_sentence, verb
from rewardbench.errors import RewardBenchError


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
            rows.append([pid, "yes" if cls.trains else "no", cls.kl_kind, first_sentence(sys.modules[cls.__module__])])
        print(tabulate(rows, ["id", "trains", "KL", "description"], tablefmt="github"))
    elif args.what == "tasks":
        from rewardbench.tasks import load_task, task_ids

        rows = []
        for tid in task_ids():
            task = load_task(tid)
            sources = ", ".join(f"{src} ({'no hub' if src == 'embedded' else 'model hub'})" for src in task.sources())
            rows.append([tid, first_sentence(task.description), sources, ", ".join(task.presets)])
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


def add(sub: Any) -> None:
    p = verb(
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
