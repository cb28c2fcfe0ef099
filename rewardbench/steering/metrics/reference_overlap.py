"""ROUGE-L of each completion against its prompt's reference text (a summary task's human summary), for the tasks
whose prompts carry one (the ``references`` column): a reference-based check the training reward never saw."""

from __future__ import annotations

from typing import Any

from rewardbench.stats import rouge_l
from rewardbench.steering.metrics.base import Column, EvalContext, Metric, Run, delta, mean_column


def applies(ctx: EvalContext) -> bool:
    """Every held-out prompt has a reference (a task's prompts all have one or none)."""
    return bool(ctx.heldout) and all(p.columns.get("references") for p in ctx.heldout)


def compute(ctx: EvalContext) -> dict[str, Any]:
    refs = [ctx.heldout[s.prompt_index].columns["references"] for s in ctx.samples]
    values = rouge_l([s.text for s in ctx.samples], refs)
    return {"reference_overlap": {**ctx.summary(values), "values": values}}


def _delta_cell(group: list[Run], refs: list[Run]) -> str:
    if group[0]["policy"]["id"] == "reference":
        return "-"
    d = delta(group, refs, lambda r: (r["metrics"].get("reference_overlap") or {}).get("values"))
    return "-" if d is None else f"{d[0]:+.3f} [{d[1]:+.3f}, {d[2]:+.3f}]"


def columns(runs: list[Run]) -> list[Column]:
    if not any("reference_overlap" in r["metrics"] for r in runs):
        return []
    return [
        mean_column(
            "ROUGE-L vs reference",
            lambda r: (r["metrics"].get("reference_overlap") or {}).get("mean"),
            higher_is_better=True,
            block=lambda r: r["metrics"].get("reference_overlap"),
        ),
        Column("ROUGE-L Δ", _delta_cell, higher_is_better=True),
    ]


METRIC = Metric("reference-overlap", compute, columns, applies)
