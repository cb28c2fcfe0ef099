"""Run files -> a task leaderboard (mean and 95% interval across seeds), samples tables and plots.

The table's columns come from the steering-metric registry (:mod:`rewardbench.steering.metrics`), the row order
from the policy registry; this module adds only what spans metrics: rows, the hacking flag, samples and plots.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from tabulate import tabulate

from rewardbench.errors import ConfigError
from rewardbench.io import write_text_atomic
from rewardbench.policies import POLICIES
from rewardbench.steering.metrics import Column, metrics
from rewardbench.steering.metrics.judges import judge_deltas
from rewardbench.steering.metrics.train_reward import reward_delta
from rewardbench.steering.results import SCHEMA, RunResult, load_runs

Groups = dict[tuple[str, str], list[RunResult]]  #: (policy id, training reward label) -> its runs, one per seed


def _order(groups: Groups) -> list[tuple[str, str]]:
    """Rows by training reward, then in policy-registry order (unknown plugins last, by id)."""
    order = POLICIES.in_order()
    return sorted(groups, key=lambda k: (k[1], order.index(k[0]) if k[0] in order else len(order), k[0]))


def _hacked(group: list[RunResult], refs: list[RunResult], runs: list[RunResult]) -> bool:
    """Training reward up (interval above zero) while most judges fell: possible reward hacking."""
    d = reward_delta(group, refs)
    deltas = judge_deltas(group, refs, runs) if group[0]["policy"]["id"] != "reference" else []
    return bool(d and d[1] > 0 and deltas and sum(x < 0 for x in deltas) > len(deltas) / 2)


def _table(runs: list[RunResult], groups: Groups, order: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """The leaderboard table and the rows flagged as possible reward hacking."""
    columns: list[Column] = [c for m in metrics() for c in m.columns(runs)]
    rows, flags = [], []
    for key in order:
        group = sorted(groups[key], key=lambda r: r["seed"])
        refs = groups.get(("reference", key[1]), [])
        hacked = _hacked(group, refs, runs)
        if hacked:
            flags.append(f"`{key[0]}` with `{key[1]}`")
        secs = [r["timing"]["train_seconds"] for r in group if r["timing"]["train_seconds"] is not None]
        rows.append(
            [
                f"`{key[0]}`" + (" ⚠" if hacked else ""),
                f"`{key[1]}`",
                len(group),
                *[c.cell(group, refs) for c in columns],
                f"{sum(secs) / len(secs):.0f}" if secs else "-",
            ]
        )
    headers = ["policy", "trained on", "seeds", *[c.title for c in columns], "train s"]
    return tabulate(rows, headers, tablefmt="github"), flags


def _task_section(runs: list[RunResult], directory: Path) -> tuple[list[str], list[Path]]:
    first = runs[0]
    task, source, preset = first["task"]["id"], first["task"]["source"], first["task"]["preset"]
    groups: Groups = defaultdict(list)
    for r in runs:
        groups[(r["policy"]["id"], r["reward"]["label"])].append(r)
    order = _order(groups)
    seeds = sorted({r["seed"] for r in runs})
    table, flags = _table(runs, groups, order)
    m = first["machine"]
    where = m["gpu"] or f"{m['cpu']}, {m['cores']} cores"
    fl = first["metrics"]["fluency"]
    ci_note = (
        "mean ± 95% t-interval across seeds"
        if len(seeds) > 1
        else "one seed: [95% bootstrap interval over the held-out samples]"
    )
    lines = [
        f"## {task} ({source}, preset {preset})",
        "",
        first["task"]["description"],
        "",
        f"Seeds {seeds}; {first['config']['n_eval_prompts']} held-out prompts x "
        f"{first['config']['preset']['samples_per_prompt']} samples; {ci_note}. Δ vs reference: difference of the "
        "mean training reward from the reference policy's (paired by seed). KL(policy ‖ reference) in nats per "
        "completion, measured by the harness from the sampled tokens (k1 and k3); best-of-n shows its analytic "
        f"bound. Perplexity: {fl['judge_lm']} ({fl['note']}). Machine: {where}.",
        "",
        table,
        "",
    ]
    if flags:
        lines += [
            f"⚠ Possible reward hacking: {', '.join(flags)} raised the training reward (interval above zero) "
            "while most judges fell.",
            "",
        ]
    skipped = {s["reward"]: s["reason"] for r in runs for s in r["metrics"]["judges_skipped"]}
    if skipped:
        lines += ["Judges skipped: " + "; ".join(f"`{k}` ({v})" for k, v in sorted(skipped.items())) + ".", ""]
    for metric in metrics():
        if metric.section is not None:
            lines += metric.section(groups, order)
    lines += _samples(groups, order)
    written = [
        _plot_curves(groups, order, directory / f"curves_{task}_{source}_{preset}.png"),
        _plot_reward_kl(groups, order, directory / f"reward_vs_kl_{task}_{source}_{preset}.png"),
    ]
    lines += [f"![training curves]({written[0].name})", "", f"![reward vs KL]({written[1].name})", ""]
    return lines, written


def _samples(groups: Groups, order: list[tuple[str, str]], n: int = 6) -> list[str]:
    """The TRL lab's table: the same held-out prompts, reference vs each policy, with the training reward."""
    lines = []
    for key in order:
        if key[0] == "reference" or ("reference", key[1]) not in groups:
            continue
        run = min(groups[key], key=lambda r: r["seed"])
        ref = next((r for r in groups[("reference", key[1])] if r["seed"] == run["seed"]), None)
        if ref is None:
            continue
        first_ref = {}
        for s in ref["samples"]:
            first_ref.setdefault(s["prompt"], s)
        rows, used = [], set()
        for s in run["samples"]:
            if s["prompt"] in used or s["prompt"] not in first_ref or len(rows) >= n:
                continue
            used.add(s["prompt"])
            r0 = first_ref[s["prompt"]]
            rows.append(
                [
                    _cell(s["prompt"]),
                    _cell(r0["completion"]),
                    f"{r0['reward']:.3f}",
                    _cell(s["completion"]),
                    f"{s['reward']:.3f}",
                ]
            )
        lines += [
            f"### Samples: `{key[0]}` vs `reference` (seed {run['seed']}, reward `{key[1]}`)",
            "",
            tabulate(rows, ["prompt", "reference", "reward", key[0], "reward"], tablefmt="github"),
            "",
        ]
    return lines


def _cell(text: str) -> str:
    return text.replace("\n", " ⏎ ").replace("|", "\\|").strip()


def _plot_curves(groups: Groups, order: list[tuple[str, str]], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    for key in order:
        for run in groups[key]:
            curve = run["curve"]
            if not curve:
                continue
            for ax, col in zip(axes, ("reward", "kl", "loss")):
                pts = [(row["step"], row[col]) for row in curve if row.get(col) is not None]
                if pts:
                    ax.plot(*zip(*pts), label=f"{key[0]} s{run['seed']}", alpha=0.8)
    for ax, title in zip(axes, ("training reward (batch mean)", "KL (trainer's estimate)", "policy loss")):
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("step")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _plot_reward_kl(groups: Groups, order: list[tuple[str, str]], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 4))
    for key in order:
        runs = groups[key]
        xs = [r["metrics"]["kl"]["k1"]["mean"] for r in runs]
        ys = [r["metrics"]["train_reward"]["mean"] for r in runs]
        marker = "x" if runs[0]["metrics"]["kl"]["kind"] == "analytic" else "o"
        ax.scatter(xs, ys, marker=marker, label=f"{key[0]} ({key[1]})")
    ax.set_xlabel("KL(policy ‖ reference), nats per completion (x: analytic bound)")
    ax.set_ylabel("held-out training reward")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def report(directory: Path) -> list[Path]:
    """Write ``directory/LEADERBOARD.md`` and plots from every run file under ``directory``.

    Raises:
        ConfigError: the folder does not exist or holds no run file.
    """
    directory = Path(directory)
    runs = load_runs([directory]) if directory.is_dir() else []
    if not runs:
        raise ConfigError(f"no run files (schema {SCHEMA!r}) under {str(directory)!r}; run `rewardbench run` first")
    return report_runs(directory, runs)


def report_runs(directory: Path, runs: list[RunResult]) -> list[Path]:
    """Write ``directory/LEADERBOARD.md`` and plots for the given runs (one section per task/source/preset)."""
    sections: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in runs:
        sections[(r["task"]["id"], r["task"]["source"], r["task"]["preset"])].append(r)
    lines = [
        "# Steering leaderboard",
        "",
        "Generated by `rewardbench report` from the run JSON files under this folder; "
        "do not edit by hand. ↑ higher is better, ↓ lower is better.",
        "",
    ]
    written: list[Path] = []
    for key in sorted(sections):
        section, files = _task_section(sections[key], directory)
        lines += section
        written += files
    out = directory / "LEADERBOARD.md"
    write_text_atomic(out, "\n".join(lines))
    return [out, *written]
