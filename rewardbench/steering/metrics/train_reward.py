"""The training reward on the held-out samples, and its difference from the reference policy's."""

from __future__ import annotations

from typing import Any

from rewardbench.steering.metrics.base import Column, EvalContext, Metric, Run, delta, mean_column


def compute(ctx: EvalContext) -> dict[str, Any]:
    return {"train_reward": {**ctx.summary(ctx.train_scores), "values": ctx.train_scores}}


def reward_delta(group: list[Run], refs: list[Run]) -> tuple[float, float, float] | None:
    """Mean training-reward difference from the reference with its 95% interval (None for the reference itself)."""
    if group[0]["policy"]["id"] == "reference":
        return None
    return delta(group, refs, lambda r: r["metrics"]["train_reward"].get("values"))


def _delta_cell(group: list[Run], refs: list[Run]) -> str:
    d = reward_delta(group, refs)
    return "-" if d is None else f"{d[0]:+.3f} [{d[1]:+.3f}, {d[2]:+.3f}]"


def columns(runs: list[Run]) -> list[Column]:
    return [
        mean_column(
            "train reward",
            lambda r: r["metrics"]["train_reward"]["mean"],
            higher_is_better=True,
            block=lambda r: r["metrics"]["train_reward"],
        ),
        Column("Δ vs reference", _delta_cell, higher_is_better=True),
    ]


METRIC = Metric("train-reward", compute, columns)
