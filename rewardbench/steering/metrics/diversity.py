"""Diversity of the completions: distinct-1 and distinct-2 over all of them, and their mean length in tokens."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rewardbench.steering.metrics.base import Column, EvalContext, Metric, Run, mean_column


def distinct_n(texts: Sequence[str], n: int) -> float:
    """Distinct-n (Li et al. 2016): unique word n-grams / all word n-grams over the texts (0 when there are none)."""
    grams = [tuple(words[i : i + n]) for words in (t.split() for t in texts) for i in range(len(words) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def compute(ctx: EvalContext) -> dict[str, Any]:
    texts = [s.text for s in ctx.samples]
    return {
        "diversity": {
            "distinct_1": distinct_n(texts, 1),
            "distinct_2": distinct_n(texts, 2),
            "mean_tokens": sum(len(s.completion_ids) for s in ctx.samples) / max(1, len(ctx.samples)),
        }
    }


def columns(runs: list[Run]) -> list[Column]:
    return [
        mean_column(
            f"distinct-{n}", lambda r, n=n: r["metrics"]["diversity"][f"distinct_{n}"], higher_is_better=True, digits=2
        )
        for n in (1, 2)
    ]


METRIC = Metric("diversity", compute, columns)
