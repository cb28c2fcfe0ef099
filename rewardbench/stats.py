"""Every statistic of the project: pairwise accuracy, bootstrap intervals, t-intervals, summaries and ROUGE-L."""

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


#: Significant digits that derived statistics (fits, interpolated readings, bootstrap bounds) are written with: far
#: above any digit a report prints, far below where a least-squares fit's last bits differ between BLAS kernels
#: (~1e-16 relative), so the same run files give the same file on every CPU.
DERIVED_DIGITS = 10


def rounded(value: Any, digits: int = DERIVED_DIGITS) -> Any:
    """``value`` with every float (also inside lists, tuples and dicts) rounded to ``digits`` significant digits;
    ints, strings, bools and None unchanged."""
    if isinstance(value, float):
        return float(f"{value:.{digits}g}") if math.isfinite(value) else value
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(v, digits) for v in value]
    return value


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


def summary(values: Sequence[float], *, seed: int = 0, clusters: Sequence[int] | None = None) -> dict[str, Any]:
    """Mean, standard deviation, percentile-bootstrap 95% interval of the mean, and count.

    With ``clusters`` (the prompt of each value) the interval resamples whole clusters
    (:func:`cluster_bootstrap_ci`); without, single values.
    """
    if not values:
        return {"mean": None, "std": None, "ci95": None, "n": 0}
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else 0.0
    if clusters is not None:
        lo, hi = cluster_bootstrap_ci(values, clusters, seed=seed)
    else:
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


# --- clustered intervals: the prompt is the resampling unit ----------------------------------------------------


def _cluster_means(values: Sequence[float], clusters: Sequence[int]) -> tuple[Any, Any]:
    """Per-cluster sums and counts (numpy arrays, clusters in sorted order)."""
    import numpy as np

    if len(values) != len(clusters):
        raise ValueError(f"values and clusters must have the same length, got {len(values)} and {len(clusters)}")
    if len(values) == 0:
        raise ValueError("a clustered statistic needs at least one value")
    keys, inverse = np.unique(np.asarray(clusters), return_inverse=True)
    sums = np.bincount(inverse, weights=np.asarray(values, dtype=float), minlength=len(keys))
    counts = np.bincount(inverse, minlength=len(keys)).astype(float)
    return sums, counts


def _paired_prompt_diffs(
    a: Sequence[float], a_clusters: Sequence[int], b: Sequence[float], b_clusters: Sequence[int]
) -> dict[int, float]:
    """Per prompt both arms have (in sorted order): arm ``a``'s mean minus arm ``b``'s mean on that prompt."""
    import numpy as np

    means = []
    for values, clusters in ((a, a_clusters), (b, b_clusters)):
        sums, counts = _cluster_means(values, clusters)
        means.append(dict(zip(np.unique(np.asarray(clusters)).tolist(), (sums / counts).tolist())))
    return {k: means[0][k] - means[1][k] for k in sorted(means[0].keys() & means[1].keys())}


def cluster_bootstrap_ci(
    values: Sequence[float], clusters: Sequence[int], *, seed: int = 0, n_resamples: int = 2000, level: float = 0.95
) -> tuple[float, float]:
    """Percentile interval of the mean of ``values`` when whole clusters (prompts) are resampled with replacement.

    Samples of one prompt are not independent draws: resampling them one by one understates the interval whenever
    prompts differ. Each resample draws as many clusters as there are, keeping each drawn cluster's samples together.
    """
    import numpy as np

    sums, counts = _cluster_means(values, clusters)
    rng = np.random.default_rng(seed)
    draw = rng.integers(0, len(sums), size=(n_resamples, len(sums)))
    means = sums[draw].sum(axis=1) / counts[draw].sum(axis=1)
    alpha = (1 - level) / 2
    return float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))


def paired_cluster_diff_ci(
    a: Sequence[float],
    a_clusters: Sequence[int],
    b: Sequence[float],
    b_clusters: Sequence[int],
    *,
    seed: int = 0,
    n_resamples: int = 2000,
    level: float = 0.95,
) -> tuple[float, float, float]:
    """``mean(a) - mean(b)`` of two arms scored on the same prompts, paired by prompt, with its interval.

    Each arm is first averaged per prompt; the difference of prompt means is bootstrapped over prompts. Only prompts
    both arms have count.

    Returns:
        (difference of the per-prompt means, low, high).
    """
    import numpy as np

    by_prompt = _paired_prompt_diffs(a, a_clusters, b, b_clusters)
    if not by_prompt:
        raise ValueError("the two arms share no prompt")
    diffs = np.array(list(by_prompt.values()))
    rng = np.random.default_rng(seed)
    boots = diffs[rng.integers(0, len(diffs), size=(n_resamples, len(diffs)))].mean(axis=1)
    alpha = (1 - level) / 2
    return float(diffs.mean()), float(np.quantile(boots, alpha)), float(np.quantile(boots, 1 - alpha))


def seeds_and_prompts_diff_ci(
    pairs: Sequence[tuple[Sequence[float], Sequence[int], Sequence[float], Sequence[int]]],
    *,
    seed: int = 0,
    n_resamples: int = 2000,
    level: float = 0.95,
) -> tuple[float, float, float]:
    """The mean over seeds of ``mean(a) - mean(b)``, each seed's two arms paired by prompt, with a bootstrap interval
    that resamples the seeds and the prompts.

    ``pairs`` holds one ``(a, a_prompts, b, b_prompts)`` per seed: a policy's and its own reference's values on the
    held-out prompts the seeds share. Each resample draws the seeds with replacement and the prompts with replacement
    (one draw for every seed: they are the same prompts), and averages the drawn seeds' per-prompt differences over
    the drawn prompts. Only prompts every pair has count.

    Returns:
        (mean difference, low, high).
    """
    import numpy as np

    if not pairs:
        raise ValueError("seeds_and_prompts_diff_ci needs at least one seed")
    per_seed = [_paired_prompt_diffs(*pair) for pair in pairs]
    shared = sorted(set.intersection(*(set(d) for d in per_seed)))
    if not shared:
        raise ValueError("the seeds share no prompt")
    diffs = np.array([[d[p] for p in shared] for d in per_seed])  # (seeds, prompts)
    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, len(diffs), size=(n_resamples, len(diffs)))
    prompts = rng.integers(0, len(shared), size=(n_resamples, len(shared)))
    boots = np.array([diffs[np.ix_(s, p)].mean() for s, p in zip(seeds, prompts)])
    alpha = (1 - level) / 2
    return float(diffs.mean()), float(np.quantile(boots, alpha)), float(np.quantile(boots, 1 - alpha))


# --- reward-KL frontiers -------------------------------------------------------------------------------------------


def interpolate_at(xs: Sequence[float], ys: Sequence[float], x: float) -> float | None:
    """``y`` at ``x`` by linear interpolation along the points sorted by ``x``; None when ``x`` is outside them."""
    pts = sorted(zip(xs, ys))
    if not pts or x < pts[0][0] or x > pts[-1][0]:
        return None
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        if x0 <= x <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return pts[0][1]  # a single point at exactly x


#: Gao, Schulman and Hilton (2022), "Scaling laws for reward model overoptimization", with d = sqrt(KL):
#: RL: R(d) = d (alpha - beta log d); best-of-n: R(d) = d (alpha - beta d).
GAO_FORMS = {"rl": "d (alpha - beta log d)", "bon": "d (alpha - beta d)"}


def fit_gao(kl: Sequence[float], gain: Sequence[float], form: str) -> dict[str, float]:
    """Least-squares fit of Gao et al.'s form ``"rl"`` or ``"bon"`` to (KL, reward gain over the reference) points.

    Both forms are linear in (alpha, beta), so the fit is ordinary least squares on the features
    ``(d, -d log d)`` or ``(d, -d^2)``. Points at KL <= 0 carry no information (R(0) = 0) and are ignored.

    Returns:
        ``{"alpha", "beta", "r2", "n"}``.
    """
    import numpy as np

    if form not in GAO_FORMS:
        raise ValueError(f"form must be one of {sorted(GAO_FORMS)}, got {form!r}")
    pts = [(k, g) for k, g in zip(kl, gain) if k > 0 and math.isfinite(k) and math.isfinite(g)]
    if len(pts) < 2:
        raise ValueError(f"a Gao fit needs at least 2 points with KL > 0, got {len(pts)}")
    d = np.sqrt(np.array([k for k, _ in pts]))
    y = np.array([g for _, g in pts])
    x = np.stack([d, -d * np.log(d)] if form == "rl" else [d, -d * d], axis=1)
    (alpha, beta), *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ np.array([alpha, beta])
    total = float(((y - y.mean()) ** 2).sum())
    r2 = 1 - float((resid**2).sum()) / total if total > 0 else 1.0
    return {"alpha": float(alpha), "beta": float(beta), "r2": r2, "n": len(pts)}


def gao_curve(kl: float, alpha: float, beta: float, form: str) -> float:
    """Gao et al.'s predicted reward gain at ``kl`` nats."""
    d = math.sqrt(kl)
    if d == 0:
        return 0.0
    return d * (alpha - beta * math.log(d)) if form == "rl" else d * (alpha - beta * d)


# --- best-of-n -----------------------------------------------------------------------------------------------------


def best_of_n_bound(n: int) -> float:
    """The analytic KL of best-of-n from its reference, ``log n - (n-1)/n``: an upper bound (Beirami et al. 2024)."""
    return math.log(n) - (n - 1) / n


def best_of_n_kl(probs: Sequence[float], rewards: Sequence[float], n: int) -> float:
    """Exact KL(best-of-n ‖ reference) for a discrete reference distribution (Beirami et al. 2024, Lemma 1).

    Outcomes are ordered by reward. With ``F`` the reference CDF over that order and ties (equal rewards) forming one
    level, best-of-n puts ``F(level)^n - F(level-)^n`` on a level, shared among its outcomes in proportion to their
    reference probability (a tie between the n draws is broken uniformly).
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    total = math.fsum(probs)
    levels: dict[float, float] = {}
    for p, r in zip(probs, rewards, strict=True):
        levels[r] = levels.get(r, 0.0) + p / total
    kl, below = 0.0, 0.0
    for r in sorted(levels):
        mass = levels[r]
        bon = (below + mass) ** n - below**n
        if bon > 0:
            kl += bon * math.log(bon / mass)  # within a level both distributions share the reference's proportions
        below += mass
    return kl


def best_of_n_kl_estimate(texts: Sequence[str], rewards: Sequence[float], n: int) -> float:
    """KL(best-of-n ‖ reference) estimated from reference samples of one prompt: :func:`best_of_n_kl` of their
    empirical distribution (identical texts pooled; ranks by reward).

    Below the bound when samples repeat or rewards tie; with all-distinct samples it approaches the bound as the
    number of samples grows.
    """
    if len(texts) != len(rewards) or not texts:
        raise ValueError("best_of_n_kl_estimate needs one reward per text and at least one text")
    counts: dict[str, int] = {}
    reward_of: dict[str, float] = {}
    for t, r in zip(texts, rewards):
        counts[t] = counts.get(t, 0) + 1
        reward_of[t] = r
    return best_of_n_kl([counts[t] for t in counts], [reward_of[t] for t in counts], n)


def rouge_l(summaries: Sequence[str], references: Sequence[str]) -> list[float]:
    """ROUGE-L F-measure of each summary against its reference (Google's rouge-score, stemming on)."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    return [scorer.score(ref, s)["rougeL"].fmeasure for s, ref in zip(summaries, references, strict=True)]
