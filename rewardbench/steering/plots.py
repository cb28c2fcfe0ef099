"""The steering report's figures: reward-KL frontiers with Gao et al.'s fits, and training curves."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from rewardbench.io import write_bytes_atomic
from rewardbench.stats import gao_curve
from rewardbench.steering.frontier import mean_curve
from rewardbench.steering.results import RunResult

Groups = dict[tuple[str, str], list[RunResult]]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(plt: Any, fig: Any, path: Path) -> Path:
    """Save ``fig`` as a PNG written atomically (a leaderboard re-rendered while a run goes on never shows half a
    figure)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return write_bytes_atomic(path, buffer.getvalue())


def frontier(
    groups: Groups,
    order: list[tuple[str, str]],
    fits: dict[tuple[str, str], dict[str, Any]],
    matched_kl: float,
    path: Path,
) -> Path:
    """Held-out training reward against KL, one curve per method with its intervals, the fits dashed."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.6))
    for key in order:
        if key[0] == "reference":
            continue
        refs = groups.get(("reference", key[1]), [])
        rows = mean_curve(groups[key], refs)
        if not rows:
            continue
        xs, ys, lo, hi = zip(*rows)
        line = ax.errorbar(
            xs,
            ys,
            yerr=[[y - a for y, a in zip(ys, lo)], [b - y for y, b in zip(ys, hi)]],
            marker="x" if groups[key][0]["policy"]["kl_kind"] != "measured" else "o",
            ms=4,
            capsize=2,
            label=f"{key[0]} ({key[1]})",
        )
        fit = fits.get(key)
        if fit and fit.get("shaped", True) and refs:  # a fit outside the form's regime is not drawn
            base = ys[0] if xs[0] == 0 else 0.0
            grid = [max(xs) * i / 60 for i in range(61)]
            ax.plot(
                grid,
                [base + gao_curve(k, fit["alpha"], fit["beta"], fit["form"]) for k in grid],
                "--",
                color=line[0].get_color(),
                alpha=0.6,
                lw=1,
            )
    ax.axvline(matched_kl, color="grey", lw=0.8, ls=":")
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlim(left=0)  # KL is never negative
    ax.set_xlabel("KL(policy ‖ reference), nats per completion (x: best-of-n's estimate)")
    ax.set_ylabel("held-out training reward")
    ax.set_title("reward-KL frontier (dashed: Gao et al. fits where Gao-shaped; dotted: matched KL)", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return _save(plt, fig, path)


def training_curves(groups: Groups, order: list[tuple[str, str]], path: Path) -> Path:
    """Each trainer's own batch reward, KL (labelled with its unit) and loss per step."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    for key in order:
        for run in groups[key]:
            curve = run["curve"]
            if not curve:
                continue
            unit = run["policy"].get("curve_kl_unit", "nats per completion")
            for ax, col in zip(axes, ("reward", "kl", "loss")):
                pts = [(row["step"], row[col]) for row in curve if row.get(col) is not None]
                if pts:
                    label = f"{key[0]} s{run['seed']}" + (f" ({unit})" if col == "kl" else "")
                    ax.plot(*zip(*pts), label=label, alpha=0.8)
    for ax, title in zip(
        axes, ("training reward (batch mean)", "KL (trainer's own estimate; unit per line)", "policy loss")
    ):
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("step")
    axes[0].legend(fontsize=7)
    if axes[1].lines:
        axes[1].legend(fontsize=6)
    fig.tight_layout()
    return _save(plt, fig, path)
