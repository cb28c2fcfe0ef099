"""The training reward per control code (``[negative]``, ``[neutral]``, ``[positive]``), for tasks that prefix their
prompts with codes; shown as its own report table."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tabulate import tabulate

from rewardbench.rewards.control import split_code
from rewardbench.stats import summary, t_interval
from rewardbench.steering.metrics.base import EvalContext, Metric, Run, fmt


def applies(ctx: EvalContext) -> bool:
    return bool(ctx.task.prompts.control_codes)


def compute(ctx: EvalContext) -> dict[str, Any]:
    groups: dict[str, tuple[list[float], list[int]]] = defaultdict(lambda: ([], []))
    for s, r in zip(ctx.samples, ctx.train_scores):
        values, prompts = groups[split_code(ctx.heldout[s.prompt_index].text)[0] or "(none)"]
        values.append(r)
        prompts.append(s.prompt_index)
    return {"by_code": {code: summary(v, seed=ctx.seed, clusters=p) for code, (v, p) in sorted(groups.items())}}


def section(groups: dict[tuple[str, str], list[Run]], order: list[tuple[str, str]]) -> list[str]:
    codes = sorted({c for g in groups.values() for r in g for c in (r["metrics"].get("by_code") or {})})
    if not codes:
        return []
    rows = []
    for key in order:
        cells = []
        for code in codes:
            vals = [
                r["metrics"]["by_code"][code]["mean"]
                for r in groups[key]
                if code in (r["metrics"].get("by_code") or {})
            ]
            cells.append(fmt(*t_interval(vals)) if vals else "-")
        rows.append([f"`{key[0]}`", f"`{key[1]}`", *cells])
    return [
        "### Training reward per control code",
        "",
        tabulate(rows, ["policy", "reward", *codes], tablefmt="github"),
        "",
    ]


METRIC = Metric("control-codes", compute, applies=applies, section=section)
