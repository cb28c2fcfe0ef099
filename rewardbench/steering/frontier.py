"""Reward-KL frontiers from run files: each method's curve, its reward at a matched KL, and Gao et al.'s fits.

A method is a (policy, training reward) pair. Its curve at one seed starts at the reference policy's point (KL 0, the
reference's held-out reward on the same prompts) and goes through every evaluation point of the run: evaluation
steps along training, or each n of best-of-n. Reward at KL = k is read off that curve by linear interpolation, never
extrapolated. Its interval, and that of its gain over the reference, is a bootstrap whose unit is the held-out prompt
(the reward and the measured KL of every point are recomputed on each resample), with the seeds resampled too when
there are several (:func:`matched`).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from rewardbench.stats import fit_gao, interpolate_at, t_interval
from rewardbench.steering.metrics.kl import kl_value
from rewardbench.steering.results import Point, RunResult, final_point


@dataclass(frozen=True)
class Matched:
    """A method's training reward at the matched KL."""

    mean: float | None  #: None when no seed's curve reaches the KL
    low: float | None
    high: float | None
    unit: str  #: what the interval resamples: "seeds, prompts" (several seeds) or "prompts"
    reached: int  #: seeds whose curve reaches the KL
    seeds: int
    max_kl: float  #: the largest KL any seed's curve reaches
    gain: float | None = None  #: mean over the seeds that reach the KL of (reward there - the seed's reference)
    gain_low: float | None = None
    gain_high: float | None = None


def curve(run: RunResult, reference: RunResult | None) -> list[tuple[float, float]]:
    """(KL, mean training reward) of the reference (at KL 0) and of every point of ``run``, sorted by KL."""
    pts = [(kl_value(p["metrics"]["kl"]), p["metrics"]["train_reward"]["mean"]) for p in run["points"]]
    if reference is not None:
        pts.append((0.0, final_point(reference)["metrics"]["train_reward"]["mean"]))
    return sorted(pts)


def _prompt_weights(runs: list[RunResult], n: int, rng: Any) -> tuple[Any, dict[int, int]]:
    """``n`` bootstrap draws of the held-out prompts the runs share, as how often each prompt is drawn (n, prompts),
    and each prompt's column."""
    import numpy as np

    prompts = sorted({i for run in runs for p in run["points"] for i in p["prompt_index"]})
    draws = rng.integers(0, len(prompts), size=(n, len(prompts)))
    weights = np.zeros((n, len(prompts)))
    for row, draw in enumerate(draws):
        np.add.at(weights[row], draw, 1.0)
    return weights, {p: i for i, p in enumerate(prompts)}


def _resampled(values: list[float], prompt_index: list[int], weights: Any, where: dict[int, int]) -> Any:
    """The mean of ``values`` on every resample: each completion weighted by how often its prompt was drawn."""
    import numpy as np

    w = weights[:, [where[i] for i in prompt_index]]
    return (w * np.asarray(values)).sum(axis=1) / w.sum(axis=1)


def _resampled_matched(run: RunResult, reference: RunResult, k: float, weights: Any, where: dict[int, int]) -> Any:
    """(reward at KL ``k``, the reference's reward) on every resample of the prompts; NaN where the resampled
    curve does not reach ``k``."""
    import numpy as np

    ref = final_point(reference)["metrics"]["train_reward"]
    base = _resampled(ref["values"], final_point(reference)["prompt_index"], weights, where)
    columns = []
    for p in run["points"]:
        reward = _resampled(p["metrics"]["train_reward"]["values"], p["prompt_index"], weights, where)
        block = p["metrics"]["kl"]
        if block["kind"] == "measured" and block["k1"].get("values") is not None:
            kl = _resampled(block["k1"]["values"], p["prompt_index"], weights, where)
        else:
            kl = np.full(len(weights), kl_value(block))
        columns.append((kl, reward))
    at = np.full(len(weights), np.nan)
    for r in range(len(weights)):
        xs, ys = [0.0, *(float(kl[r]) for kl, _ in columns)], [float(base[r]), *(float(y[r]) for _, y in columns)]
        value = interpolate_at(xs, ys, k)
        if value is not None:
            at[r] = value
    return at, base


def matched(
    group: list[RunResult], refs: list[RunResult], k: float, *, n_resamples: int = 1000, seed: int = 0
) -> Matched:
    """The method's training reward at KL ``k`` and its gain over the reference, each with a 95% interval.

    The interval is a bootstrap whose unit is the held-out prompt: each resample draws the prompts with replacement
    (a prompt's completions together, the same draw for every point of every seed and for the references, which
    share the prompts) and, with several seeds, the seeds that reach ``k`` with replacement too; the gain is paired
    (each seed against its own reference on the same resampled prompts). A resample on which a drawn seed's curve
    no longer reaches ``k`` is left out.
    """
    import numpy as np

    ref_by_seed = {r["seed"]: r for r in refs}
    reached, max_kl, gains, reaching = [], 0.0, [], []
    for run in group:
        ref = ref_by_seed.get(run["seed"])
        pts = curve(run, ref)
        max_kl = max(max_kl, pts[-1][0])
        value = interpolate_at([x for x, _ in pts], [y for _, y in pts], k)
        if value is None:
            continue
        reached.append(value)
        if ref is not None:
            reaching.append(run)
            gains.append(value - final_point(ref)["metrics"]["train_reward"]["mean"])
    unit = "seeds, prompts" if len(group) > 1 else "prompts"
    if not reached:
        return Matched(None, None, None, unit, 0, len(group), max_kl)
    mean = statistics.fmean(reached)
    if not reaching:
        return Matched(mean, None, None, unit, len(reached), len(group), max_kl)
    gain = statistics.fmean(gains)
    rng = np.random.default_rng(seed)
    weights, where = _prompt_weights([*reaching, *(ref_by_seed[r["seed"]] for r in reaching)], n_resamples, rng)
    per_seed = [_resampled_matched(run, ref_by_seed[run["seed"]], k, weights, where) for run in reaching]
    at = np.stack([a for a, _ in per_seed])  # (seeds, resamples)
    base = np.stack([b for _, b in per_seed])
    if len(reaching) > 1:
        drawn = rng.integers(0, len(reaching), size=(n_resamples, len(reaching)))
    else:
        drawn = np.zeros((n_resamples, 1), dtype=int)
    cols = np.arange(n_resamples)[:, None]
    boot_at, boot_gain = at[drawn, cols].mean(axis=1), (at - base)[drawn, cols].mean(axis=1)
    keep = ~np.isnan(boot_at)
    if not keep.any():
        return Matched(mean, None, None, unit, len(reached), len(group), max_kl, gain)
    low, high = np.quantile(boot_at[keep], [0.025, 0.975])
    gain_low, gain_high = np.quantile(boot_gain[keep], [0.025, 0.975])
    return Matched(
        mean, float(low), float(high), unit, len(reached), len(group), max_kl, gain, float(gain_low), float(gain_high)
    )


def gao_fit(group: list[RunResult], refs: list[RunResult], form: str) -> dict[str, float] | None:
    """Gao et al.'s form fitted to every (KL, reward gain over the seed's reference) point of the method's runs."""
    ref_by_seed = {r["seed"]: r for r in refs}
    kl, gain = [], []
    for run in group:
        ref = ref_by_seed.get(run["seed"])
        if ref is None:
            continue
        base = final_point(ref)["metrics"]["train_reward"]["mean"]
        for p in run["points"]:
            kl.append(kl_value(p["metrics"]["kl"]))
            gain.append(p["metrics"]["train_reward"]["mean"] - base)
    try:
        return fit_gao(kl, gain, form)
    except ValueError:
        return None


def point_key(point: Point) -> tuple[Any, ...]:
    """What a point stands for across seeds: its KL target (the smallest it reached, for points placed by KL), the
    end of training, or else its step and label (evenly spaced steps, best-of-n's n)."""
    for why in point.get("why", []):
        if why.get("targets"):
            return ("kl-target", min(why["targets"]))
        if why.get("reason") == "end of training":
            return ("end",)
    return ("step", point["step"], point["label"])


def mean_curve(group: list[RunResult], refs: list[RunResult]) -> list[tuple[float, float, float, float]]:
    """Across seeds, point by point (:func:`point_key`: the same KL target, step or n): (mean KL, mean reward,
    reward low, reward high) over the seeds that measured it; the spread is a t-interval over seeds, or with one
    seed the point's own prompt-resampled interval."""
    ref_by_seed = {r["seed"]: r for r in refs}
    rows = []
    by_key: dict[tuple[Any, ...], list[Point]] = {}
    for run in group:
        for point in run["points"]:
            by_key.setdefault(point_key(point), []).append(point)
    for pts in by_key.values():
        kls = [kl_value(p["metrics"]["kl"]) for p in pts]
        rewards = [p["metrics"]["train_reward"]["mean"] for p in pts]
        mean, half = t_interval(rewards)
        if half is None:
            low, high = pts[0]["metrics"]["train_reward"]["ci95"]
        else:
            low, high = mean - half, mean + half
        rows.append((statistics.fmean(kls), mean, low, high))
    starts = [
        final_point(ref_by_seed[r["seed"]])["metrics"]["train_reward"]["mean"]
        for r in group
        if r["seed"] in ref_by_seed
    ]
    if starts:
        rows.insert(0, (0.0, statistics.fmean(starts), min(starts), max(starts)))
    return sorted(rows)
