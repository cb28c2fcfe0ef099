"""Reward-KL frontiers from run files: each method's curve, its reward at a matched KL, and Gao et al.'s fits.

A method is a (policy, training reward) pair. Its curve at one seed starts at the reference policy's point (KL 0, the
reference's held-out reward on the same prompts) and goes through every evaluation point of the run: evaluation
steps along training, or each n of best-of-n. Reward at KL = k is read off that curve by linear interpolation, never
extrapolated; over several seeds the interval is a t-interval of the per-seed values, with one seed a bootstrap that
resamples held-out prompts (the reward and the measured KL of every point are recomputed on each resample).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from rewardbench.stats import fit_gao, interpolate_at, t_interval
from rewardbench.steering.metrics.kl import kl_value
from rewardbench.steering.results import RunResult, final_point


@dataclass(frozen=True)
class Matched:
    """A method's training reward at the matched KL."""

    mean: float | None  #: None when no seed's curve reaches the KL
    low: float | None
    high: float | None
    unit: str  #: what the interval resamples: "seeds" or "prompts"
    reached: int  #: seeds whose curve reaches the KL
    seeds: int
    max_kl: float  #: the largest KL any seed's curve reaches


def curve(run: RunResult, reference: RunResult | None) -> list[tuple[float, float]]:
    """(KL, mean training reward) of the reference (at KL 0) and of every point of ``run``, sorted by KL."""
    pts = [(kl_value(p["metrics"]["kl"]), p["metrics"]["train_reward"]["mean"]) for p in run["points"]]
    if reference is not None:
        pts.append((0.0, final_point(reference)["metrics"]["train_reward"]["mean"]))
    return sorted(pts)


def _resampled_curves(
    run: RunResult, reference: RunResult | None, n: int, seed: int
) -> list[list[tuple[float, float]]]:
    """``n`` curves of ``run`` recomputed on bootstrap resamples of the held-out prompts (the same draw for every
    point and for the reference, which share the prompts)."""
    import numpy as np

    points = list(run["points"]) + ([final_point(reference)] if reference is not None else [])
    prompts = sorted({i for p in points for i in p["prompt_index"]})
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(prompts), size=(n, len(prompts)))
    weights = np.zeros((n, len(prompts)))
    for row, draw in enumerate(draws):
        np.add.at(weights[row], draw, 1.0)  # how often each prompt is drawn
    where = {p: i for i, p in enumerate(prompts)}

    def resampled_mean(values: list[float], prompt_index: list[int]) -> Any:
        w = weights[:, [where[i] for i in prompt_index]]  # (n, samples): each sample weighted by its prompt's draws
        return (w * np.asarray(values)).sum(axis=1) / w.sum(axis=1)

    columns = []
    for k, p in enumerate(points):
        reward = resampled_mean(p["metrics"]["train_reward"]["values"], p["prompt_index"])
        block = p["metrics"]["kl"]
        is_reference = reference is not None and k == len(points) - 1
        if is_reference:
            kl = np.zeros(n)
        elif block["kind"] == "measured" and block["k1"].get("values") is not None:
            kl = resampled_mean(block["k1"]["values"], p["prompt_index"])
        else:
            kl = np.full(n, kl_value(block))
        columns.append((kl, reward))
    return [sorted((float(kl[r]), float(reward[r])) for kl, reward in columns) for r in range(n)]


def matched(group: list[RunResult], refs: list[RunResult], k: float, *, n_resamples: int = 1000) -> Matched:
    """The method's training reward at KL ``k`` with a 95% interval (see the module docstring for the unit)."""
    ref_by_seed = {r["seed"]: r for r in refs}
    values, max_kl = [], 0.0
    for run in group:
        pts = curve(run, ref_by_seed.get(run["seed"]))
        max_kl = max(max_kl, pts[-1][0])
        values.append(interpolate_at([x for x, _ in pts], [y for _, y in pts], k))
    reached = [v for v in values if v is not None]
    if not reached:
        return Matched(None, None, None, "seeds" if len(group) > 1 else "prompts", 0, len(group), max_kl)
    if len(group) > 1:
        mean, half = t_interval(reached)
        low, high = (None, None) if half is None else (mean - half, mean + half)
        return Matched(mean, low, high, "seeds", len(reached), len(group), max_kl)
    run = group[0]
    boots = []
    for pts in _resampled_curves(run, ref_by_seed.get(run["seed"]), n_resamples, seed=run["seed"]):
        value = interpolate_at([x for x, _ in pts], [y for _, y in pts], k)
        if value is not None:
            boots.append(value)
    boots.sort()
    low = boots[int(0.025 * (len(boots) - 1))] if boots else None
    high = boots[int(0.975 * (len(boots) - 1))] if boots else None
    return Matched(reached[0], low, high, "prompts", 1, 1, max_kl)


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


def mean_curve(group: list[RunResult], refs: list[RunResult]) -> list[tuple[float, float, float, float]]:
    """Across seeds, point by point (the same steps or n): (mean KL, mean reward, reward low, reward high); the
    spread is a t-interval over seeds, or with one seed the point's own prompt-resampled interval."""
    ref_by_seed = {r["seed"]: r for r in refs}
    rows = []
    n_points = min(len(r["points"]) for r in group)
    for i in range(n_points):
        pts = [r["points"][i] for r in group]
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
