"""KL(policy ‖ reference) per completion, measured by the harness from the sampled tokens, the same way for every
policy (Schulman's k1 and k3); a policy with no per-token log-probabilities (best-of-n) states an analytic value."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rewardbench.steering.metrics.base import Column, EvalContext, Metric, Run, across, fmt, mean_column


def kl_estimates(
    policy_logprobs: Sequence[Sequence[float]], reference_logprobs: Sequence[Sequence[float]]
) -> tuple[list[float], list[float]]:
    """Per-sequence KL(policy || reference) from tokens sampled from the policy (Schulman's k1 and k3).

    k1 sums ``log p - log q`` (unbiased, can be negative per sequence); k3 sums ``(r - 1) - log r`` with
    ``r = q / p`` (unbiased, never negative, lower variance).
    """
    k1, k3 = [], []
    for lp, lq in zip(policy_logprobs, reference_logprobs, strict=True):
        if len(lp) != len(lq):
            raise ValueError(f"token counts differ: {len(lp)} policy vs {len(lq)} reference log-probs")
        k1.append(sum(p - q for p, q in zip(lp, lq)))
        k3.append(sum(math.expm1(q - p) - (q - p) for p, q in zip(lp, lq)))
    return k1, k3


def compute(ctx: EvalContext) -> dict[str, Any]:
    if ctx.stated_kl is not None:  # best-of-n: no per-token log-probs of its own to measure from
        return {"kl": {"kind": "stated", **ctx.stated_kl}}
    from rewardbench.runtime import models

    reference = models.load_causal_lm(ctx.task.model[ctx.source])
    sampling = ctx.task.generation.sampling()  # both scored as the sampler draws, penalties and truncation included
    k1, k3 = kl_estimates(ctx.token_logprobs(ctx.model, sampling), ctx.token_logprobs(reference, sampling))
    return {"kl": {"kind": "measured", "k1": {**ctx.summary(k1), "values": k1}, "k3": ctx.summary(k3)}}


def kl_value(block: dict[str, Any]) -> float:
    """The KL a point is placed at on the frontier: measured k1, or a stated estimate (else its bound)."""
    if block["kind"] == "measured":
        return block["k1"]["mean"]
    return block["estimate"] if block.get("estimate") is not None else block["bound"]


def _k1_cell(group: list[Run], refs: list[Run]) -> str:
    if group[0]["metrics"]["kl"]["kind"] == "measured":
        return fmt(*across(group, lambda r: r["metrics"]["kl"]["k1"]["mean"], lambda r: r["metrics"]["kl"]["k1"]))
    bound = across(group, lambda r: r["metrics"]["kl"]["bound"])[0]
    estimate = across(group, lambda r: r["metrics"]["kl"].get("estimate"))
    if estimate[0] is None:
        return f"{bound:.3f} (bound)"
    return f"{fmt(*estimate)} est. (bound {bound:.3f})"


def columns(runs: list[Run]) -> list[Column]:
    return [
        Column("KL k1", _k1_cell, higher_is_better=False),
        mean_column("KL k3", lambda r: (r["metrics"]["kl"].get("k3") or {}).get("mean"), higher_is_better=False),
    ]


METRIC = Metric("kl", compute, columns)
