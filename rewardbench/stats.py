"""Small statistics used by evaluations and reports: pairwise accuracy and bootstrap intervals."""

from __future__ import annotations

from collections.abc import Sequence


def pairwise_outcomes(chosen: Sequence[float], rejected: Sequence[float]) -> list[float]:
    """1 where the chosen item scores higher, 0 where lower, 0.5 on a tie."""
    if len(chosen) != len(rejected):
        raise ValueError(f"chosen and rejected must have the same length, got {len(chosen)} and {len(rejected)}")
    return [1.0 if c > r else 0.0 if c < r else 0.5 for c, r in zip(chosen, rejected)]


def bootstrap_ci(values: Sequence[float], *, seed: int = 0, n_resamples: int = 2000,
                 level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (numpy, seeded: the same input gives the same interval)."""
    import numpy as np

    if len(values) == 0:
        raise ValueError("bootstrap_ci needs at least one value")
    data = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, len(data), size=(n_resamples, len(data)))].mean(axis=1)
    alpha = (1 - level) / 2
    return float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))


def bootstrap_diff_ci(a: Sequence[float], b: Sequence[float], *, seed: int = 0, n_resamples: int = 2000,
                      level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of ``mean(a) - mean(b)`` for two independent samples."""
    import numpy as np

    if len(a) == 0 or len(b) == 0:
        raise ValueError("bootstrap_diff_ci needs values on both sides")
    rng = np.random.default_rng(seed)
    xa, xb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    diffs = (xa[rng.integers(0, len(xa), size=(n_resamples, len(xa)))].mean(axis=1)
             - xb[rng.integers(0, len(xb), size=(n_resamples, len(xb)))].mean(axis=1))
    alpha = (1 - level) / 2
    return float(np.quantile(diffs, alpha)), float(np.quantile(diffs, 1 - alpha))
