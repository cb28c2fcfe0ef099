"""Every statistic of the project: pairwise accuracy, bootstrap intervals, t-intervals and summaries."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

#: two-sided 95% Student t quantiles by degrees of freedom (df > 30 uses the normal 1.96)
_T95 = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    6: 2.447,
    7: 2.365,
    8: 2.306,
    9: 2.262,
    10: 2.228,
    11: 2.201,
    12: 2.179,
    13: 2.160,
    14: 2.145,
    15: 2.131,
    16: 2.120,
    17: 2.110,
    18: 2.101,
    19: 2.093,
    20: 2.086,
    21: 2.080,
    22: 2.074,
    23: 2.069,
    24: 2.064,
    25: 2.060,
    26: 2.056,
    27: 2.052,
    28: 2.048,
    29: 2.045,
    30: 2.042,
}


def pairwise_outcomes(chosen: Sequence[float], rejected: Sequence[float]) -> list[float]:
    """1 where the chosen item scores higher, 0 where lower, 0.5 on a tie."""
    if len(chosen) != len(rejected):
        raise ValueError(f"chosen and rejected must have the same length, got {len(chosen)} and {len(rejected)}")
    return [1.0 if c > r else 0.0 if c < r else 0.5 for c, r in zip(chosen, rejected)]


def bootstrap_ci(
    values: Sequence[float], *, seed: int = 0, n_resamples: int = 2000, level: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (numpy, seeded: the same input gives the same interval)."""
    import numpy as np

    if len(values) == 0:
        raise ValueError("bootstrap_ci needs at least one value")
    data = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, len(data), size=(n_resamples, len(data)))].mean(axis=1)
    alpha = (1 - level) / 2
    return float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))


def bootstrap_diff_ci(
    a: Sequence[float], b: Sequence[float], *, seed: int = 0, n_resamples: int = 2000, level: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``mean(a) - mean(b)`` for two independent samples."""
    import numpy as np

    if len(a) == 0 or len(b) == 0:
        raise ValueError("bootstrap_diff_ci needs values on both sides")
    rng = np.random.default_rng(seed)
    xa, xb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    diffs = xa[rng.integers(0, len(xa), size=(n_resamples, len(xa)))].mean(axis=1) - xb[
        rng.integers(0, len(xb), size=(n_resamples, len(xb)))
    ].mean(axis=1)
    alpha = (1 - level) / 2
    return float(np.quantile(diffs, alpha)), float(np.quantile(diffs, 1 - alpha))


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
    if n == 0:
        raise ValueError("t_interval needs at least one value")
    mean = sum(values) / n
    if n < 2:
        return mean, None
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    return mean, _T95.get(n - 1, 1.96) * std / math.sqrt(n)
