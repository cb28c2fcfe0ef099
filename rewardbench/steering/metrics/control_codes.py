"""The training reward and the judges per control code (``[negative]``, ``[neutral]``, ``[positive]``), for tasks
that prefix their prompts with codes; shown as report tables of their own.

A judge is read in each code's own direction, so that judges never average opposite goals: a judge's score turned
positive-is-higher ``s`` counts as ``s`` for ``[positive]``, ``-s`` for ``[negative]`` and ``-|s|`` for
``[neutral]`` (the same shape as the control-code reward's transform)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tabulate import tabulate

from rewardbench.rewards.control import split_code
from rewardbench.stats import summary
from rewardbench.steering.metrics.base import EvalContext, Metric, Run, delta, fmt
from rewardbench.steering.metrics.judges import evaluation_judges, judge_scores


def applies(ctx: EvalContext) -> bool:
    return bool(ctx.task.prompts.control_codes)


def directed(code: str, positive_score: float) -> float:
    """A judge's positive-is-higher score read in the direction of ``code``."""
    if code == "positive":
        return positive_score
    if code == "negative":
        return -positive_score
    return -abs(positive_score)


def compute(ctx: EvalContext) -> dict[str, Any]:
    codes = [split_code(ctx.heldout[s.prompt_index].text)[0] or "(none)" for s in ctx.samples]
    # each judge's scores turned positive-is-higher by its own target (a judge without one scores positivity)
    judged = {
        label: [s if getattr(judge, "target", "positive") == "positive" else -s for s in judge_scores(ctx, judge)]
        for label, judge in evaluation_judges(ctx)[0]
    }
    members: dict[str, list[int]] = defaultdict(list)
    for i, code in enumerate(codes):
        members[code].append(i)
    by_code, judges_by_code = {}, {}
    for code, rows in sorted(members.items()):
        prompts = [ctx.samples[i].prompt_index for i in rows]
        values = [ctx.train_scores[i] for i in rows]
        by_code[code] = {**summary(values, seed=ctx.seed, clusters=prompts), "values": values, "prompt_index": prompts}
        judges_by_code[code] = {}
        for label, scores in judged.items():
            vals = [directed(code, scores[i]) for i in rows]
            judges_by_code[code][label] = {**summary(vals, seed=ctx.seed, clusters=prompts), "values": vals}
    return {"by_code": by_code, "judges_by_code": judges_by_code}


def _per_code_view(run: Run, code: str, values: list[float] | None) -> Run:
    prompts = (run["metrics"].get("by_code") or {}).get(code, {}).get("prompt_index")
    return {"seed": run["seed"], "prompt_index": prompts, "values": values}


def _cell(group: list[Run], refs: list[Run], code: str, get: Any) -> str:
    """Mean across seeds, and the difference from the reference with its 95% interval (:func:`delta`)."""
    views = [_per_code_view(r, code, get(r)) for r in group]
    views = [v for v in views if v["values"]]
    if not views:
        return "-"
    mean = sum(sum(v["values"]) / len(v["values"]) for v in views) / len(views)
    ref_views = [v for v in (_per_code_view(r, code, get(r)) for r in refs) if v["values"]]
    d = delta(views, ref_views, lambda v: v["values"]) if ref_views and group is not refs else None
    return f"{mean:.3f}" + (f" (Δ {fmt(d[0], lo_hi=[d[1], d[2]])})" if d else "")


def section(groups: dict[tuple[str, str], list[Run]], order: list[tuple[str, str]]) -> list[str]:
    codes = sorted({c for g in groups.values() for r in g for c in (r["metrics"].get("by_code") or {})})
    if not codes:
        return []
    rows = []
    judge_rows = []
    labels = sorted({j for g in groups.values() for r in g for c in codes for j in _judges(r, c)})
    for key in order:
        refs = groups.get(("reference", key[1]), [])
        rows.append(
            [f"`{key[0]}`", f"`{key[1]}`"]
            + [_cell(groups[key], refs, c, lambda r, c=c: _code_block(r, c).get("values")) for c in codes]
        )
        for label in labels:
            judge_rows.append(
                [f"`{key[0]}`", f"`{label}`"]
                + [
                    _cell(groups[key], refs, c, lambda r, c=c, j=label: (_judges(r, c).get(j) or {}).get("values"))
                    for c in codes
                ]
            )
    lines = [
        "### Training reward per control code",
        "",
        "Mean over seeds of each code's mean reward; Δ: against the reference on the same prompts, each seed paired "
        "with its own reference, 95% interval over seeds and prompts. Every code should move toward its own "
        "target: up.",
        "",
        tabulate(rows, ["policy", "reward", *codes], tablefmt="github"),
        "",
    ]
    if judge_rows:
        lines += [
            "### Judges per control code, each in its code's own direction",
            "",
            "A judge's score s (higher = more positive) counts as s for [positive], -s for [negative] and -|s| for "
            "[neutral], so higher is better in every cell and no column averages opposite goals.",
            "",
            tabulate(judge_rows, ["policy", "judge", *codes], tablefmt="github"),
            "",
        ]
    return lines


def _code_block(run: Run, code: str) -> dict[str, Any]:
    return (run["metrics"].get("by_code") or {}).get(code) or {}


def _judges(run: Run, code: str) -> dict[str, Any]:
    return (run["metrics"].get("judges_by_code") or {}).get(code) or {}


METRIC = Metric("control-codes", compute, applies=applies, section=section)
