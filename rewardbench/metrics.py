"""Evaluation metrics as pure functions over token log-probabilities and strings."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rewardbench.stats import bootstrap_ci

#: two-sided 95% Student t quantiles by degrees of freedom (df > 30 uses the normal 1.96)
_T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
        11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086,
        21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045, 30: 2.042}


def kl_estimates(policy_logprobs: Sequence[Sequence[float]],
                 reference_logprobs: Sequence[Sequence[float]]) -> tuple[list[float], list[float]]:
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


def perplexity(logprobs: Sequence[Sequence[float]]) -> tuple[float, list[float]]:
    """Corpus perplexity (exp of the mean token NLL over all tokens) and each sequence's perplexity."""
    per_seq = [math.exp(-sum(lp) / len(lp)) for lp in logprobs if lp]
    total = sum(len(lp) for lp in logprobs)
    if not total:
        return float("nan"), []
    return math.exp(-sum(sum(lp) for lp in logprobs) / total), per_seq


def distinct_n(texts: Sequence[str], n: int) -> float:
    """Distinct-n (Li et al. 2016): unique word n-grams / all word n-grams over the texts (0 when there are none)."""
    grams = [tuple(words[i:i + n]) for words in (t.split() for t in texts) for i in range(len(words) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def summary(values: Sequence[float], *, seed: int = 0) -> dict[str, Any]:
    """Mean, standard deviation, percentile-bootstrap 95% interval of the mean, and count."""
    if not values:
        return {"mean": None, "std": None, "ci95": None, "n": 0}
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else 0.0
    lo, hi = bootstrap_ci(values, seed=seed)
    return {"mean": mean, "std": std, "ci95": [lo, hi], "n": len(values)}


def t_interval(values: Sequence[float]) -> tuple[float, float | None]:
    """Mean and half-width of the 95% Student t interval (None for a single value)."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, None
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    return mean, _T95.get(n - 1, 1.96) * std / math.sqrt(n)
