"""Fluency: perplexity of the completions under a judge LM (an independent LM with the hub; on the embedded zoo the
reference policy model itself, which the report says)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rewardbench.stats import summary
from rewardbench.steering.metrics.base import Column, EvalContext, Metric, Run, mean_column


def perplexity(logprobs: Sequence[Sequence[float]]) -> tuple[float, list[float]]:
    """Corpus perplexity (exp of the mean token NLL over all tokens) and each sequence's perplexity."""
    per_seq = [math.exp(-sum(lp) / len(lp)) for lp in logprobs if lp]
    total = sum(len(lp) for lp in logprobs)
    if not total:
        return float("nan"), []
    return math.exp(-sum(sum(lp) for lp in logprobs) / total), per_seq


def judge_lm(task: Any, source: str) -> tuple[str, str]:
    """The fluency judge LM spec and a note on what it is."""
    if source in task.judge_lm:
        return task.judge_lm[source], "independent LM"
    return task.model[source], "the reference policy model itself (no independent LM on this source)"


def compute(ctx: EvalContext) -> dict[str, Any]:
    from rewardbench.runtime import models

    spec, note = judge_lm(ctx.task, ctx.source)
    logprobs = ctx.token_logprobs(models.load_causal_lm(spec))
    corpus_ppl, per_seq = perplexity(logprobs)
    clusters = [i for i, lp in zip(ctx.prompt_index, logprobs) if lp]  # empty completions have no perplexity
    per_sequence = summary(per_seq, seed=ctx.seed, clusters=clusters or None)
    return {"fluency": {"judge_lm": spec, "note": note, "perplexity": corpus_ppl, "per_sequence": per_sequence}}


def columns(runs: list[Run]) -> list[Column]:
    return [
        mean_column("perplexity", lambda r: r["metrics"]["fluency"]["perplexity"], higher_is_better=False, digits=1)
    ]


METRIC = Metric("fluency", compute, columns)
