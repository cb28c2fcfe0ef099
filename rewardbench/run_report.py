"""Run JSON files -> a task leaderboard (mean and 95% interval across seeds), samples tables and plots."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tabulate import tabulate

from rewardbench.errors import ConfigError
from rewardbench.provenance import write_text_atomic
from rewardbench.harness import SCHEMA
from rewardbench.metrics import t_interval
from rewardbench.stats import bootstrap_diff_ci

POLICY_ORDER = ["reference", "best-of-n", "trl-ppo", "pfrl-ppo", "trl-grpo", "trl-rloo"]


def load_runs(directories: Iterable[Path]) -> list[dict[str, Any]]:
    """Every run JSON (``**/result.json`` with the run schema) under the given folders; shards simply merge."""
    runs, seen = [], set()
    for directory in directories:
        for path in sorted(Path(directory).rglob("result.json")):
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{path} is not valid JSON ({exc}); delete it and rerun that run") from exc
            if doc.get("schema") != SCHEMA:
                continue
            key = (doc["task"]["id"], doc["task"]["source"], doc["task"]["preset"], doc["policy"]["id"],
                   doc["reward"]["label"], doc["seed"])
            if key not in seen:
                seen.add(key)
                runs.append(doc)
    return runs


def _fmt(mean: float | None, half: float | None = None, lo_hi: list[float] | None = None, digits: int = 3) -> str:
    if mean is None:
        return "-"
    if half is not None:
        return f"{mean:.{digits}f} ± {half:.{digits}f}"
    if lo_hi:
        return f"{mean:.{digits}f} [{lo_hi[0]:.{digits}f}, {lo_hi[1]:.{digits}f}]"
    return f"{mean:.{digits}f}"


def _across(runs: list[dict[str, Any]], get: Any,
            block: Any = None) -> tuple[float | None, float | None, list[float] | None]:
    """Mean across seeds with a t half-width; with one seed, the bootstrap interval of ``block(run)`` if given."""
    values = [get(r) for r in runs]
    values = [v for v in values if v is not None]
    if not values:
        return None, None, None
    if len(values) == 1:
        return values[0], None, (block(runs[0]) or {}).get("ci95") if block else None
    mean, half = t_interval(values)
    return mean, half, None


def _delta(runs: list[dict[str, Any]], refs: list[dict[str, Any]], key: Any) -> tuple[float, float, float] | None:
    """Mean difference from the reference and its 95% interval (paired by seed; one seed: bootstrap)."""
    by_seed = {r["seed"]: r for r in refs}
    pairs = [(r, by_seed[r["seed"]]) for r in runs if r["seed"] in by_seed]
    pairs = [(key(a), key(b)) for a, b in pairs if key(a) is not None and key(b) is not None]
    if not pairs:
        return None
    if len(pairs) == 1:
        a, b = pairs[0]
        lo, hi = bootstrap_diff_ci(a, b)
        return sum(a) / len(a) - sum(b) / len(b), lo, hi
    diffs = [sum(a) / len(a) - sum(b) / len(b) for a, b in pairs]
    mean, half = t_interval(diffs)
    return mean, mean - half, mean + half


def _task_section(runs: list[dict[str, Any]], directory: Path) -> tuple[list[str], list[Path]]:
    first = runs[0]
    task, source, preset = first["task"]["id"], first["task"]["source"], first["task"]["preset"]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in runs:
        groups[(r["policy"]["id"], r["reward"]["label"])].append(r)
    order = sorted(groups, key=lambda k: (k[1], POLICY_ORDER.index(k[0]) if k[0] in POLICY_ORDER else 99, k[0]))
    judges = sorted({j for r in runs for j in r["metrics"]["judges"]})
    seeds = sorted({r["seed"] for r in runs})
    rows, flags = [], []
    for key in order:
        group = sorted(groups[key], key=lambda r: r["seed"])
        refs = groups.get(("reference", key[1]), [])
        tr = _across(group, lambda r: r["metrics"]["train_reward"]["mean"], lambda r: r["metrics"]["train_reward"])
        d = _delta(group, refs, lambda r: r["metrics"]["train_reward"].get("values")) if key[0] != "reference" else None
        judge_cells, judge_deltas = [], []
        for j in judges:
            jm = _across(group, lambda r, j=j: (r["metrics"]["judges"].get(j) or {}).get("mean"))
            judge_cells.append(_fmt(jm[0], jm[1]))
            jd = _delta(group, refs, lambda r, j=j: (r["metrics"]["judges"].get(j) or {}).get("values"))
            if jd is not None and key[0] != "reference":
                judge_deltas.append(jd[0])
        kl = _across(group, lambda r: r["metrics"]["kl"]["k1"]["mean"], lambda r: r["metrics"]["kl"]["k1"])
        k3 = _across(group, lambda r: (r["metrics"]["kl"]["k3"] or {}).get("mean"))
        ppl = _across(group, lambda r: r["metrics"]["fluency"]["perplexity"])
        d1 = _across(group, lambda r: r["metrics"]["diversity"]["distinct_1"])
        d2 = _across(group, lambda r: r["metrics"]["diversity"]["distinct_2"])
        secs = [r["timing"]["train_seconds"] for r in group if r["timing"]["train_seconds"] is not None]
        hacked = bool(d and d[1] > 0 and judge_deltas and sum(x < 0 for x in judge_deltas) > len(judge_deltas) / 2)
        if hacked:
            flags.append(f"`{key[0]}` with `{key[1]}`")
        kl_kind = group[0]["metrics"]["kl"]["kind"]
        rows.append([f"`{key[0]}`" + (" ⚠" if hacked else ""), f"`{key[1]}`", len(group), _fmt(*tr),
                     "-" if d is None else f"{d[0]:+.3f} [{d[1]:+.3f}, {d[2]:+.3f}]", *judge_cells,
                     _fmt(kl[0], kl[1], kl[2] if kl_kind == "measured" else None) + (" (bound)" if kl_kind == "analytic" else ""),
                     _fmt(k3[0], k3[1]), _fmt(ppl[0], ppl[1], digits=1), _fmt(d1[0], d1[1], digits=2),
                     _fmt(d2[0], d2[1], digits=2), f"{sum(secs) / len(secs):.0f}" if secs else "-"])
    headers = ["policy", "trained on", "seeds", "train reward ↑", "Δ vs reference ↑",
               *[f"judge {j} ↑" for j in judges], "KL k1 ↓", "KL k3 ↓", "perplexity ↓", "distinct-1 ↑",
               "distinct-2 ↑", "train s"]
    m = first["machine"]
    where = m["gpu"] or f"{m['cpu']}, {m['cores']} cores"
    fl = first["metrics"]["fluency"]
    ci_note = ("mean ± 95% t-interval across seeds" if len(seeds) > 1 else
               "one seed: [95% bootstrap interval over the held-out samples]")
    lines = [f"## {task} ({source}, preset {preset})", "", first["task"]["description"], "",
             f"Seeds {seeds}; {first['config']['n_eval_prompts']} held-out prompts x "
             f"{first['config']['preset']['samples_per_prompt']} samples; {ci_note}. Δ vs reference: difference of the "
             "mean training reward from the reference policy's (paired by seed). KL(policy ‖ reference) in nats per "
             "completion, measured by the harness from the sampled tokens (k1 and k3); best-of-n shows its analytic "
             f"bound. Perplexity: {fl['judge_lm']} ({fl['note']}). Machine: {where}.", "",
             tabulate(rows, headers, tablefmt="github"), ""]
    if flags:
        lines += [f"⚠ Possible reward hacking: {', '.join(flags)} raised the training reward (interval above zero) "
                  "while most judges fell.", ""]
    skipped = {s["reward"]: s["reason"] for r in runs for s in r["metrics"]["judges_skipped"]}
    if skipped:
        lines += ["Judges skipped: " + "; ".join(f"`{k}` ({v})" for k, v in sorted(skipped.items())) + ".", ""]
    lines += _by_code(groups, order) + _samples(groups, order)
    written = [_plot_curves(groups, order, directory / f"curves_{task}_{source}_{preset}.png"),
               _plot_reward_kl(groups, order, directory / f"reward_vs_kl_{task}_{source}_{preset}.png")]
    lines += [f"![training curves]({written[0].name})", "", f"![reward vs KL]({written[1].name})", ""]
    return lines, written


def _by_code(groups: dict[Any, list[dict[str, Any]]], order: list[Any]) -> list[str]:
    codes = sorted({c for g in groups.values() for r in g for c in (r["metrics"].get("by_code") or {})})
    if not codes:
        return []
    rows = []
    for key in order:
        cells = []
        for code in codes:
            vals = [r["metrics"]["by_code"][code]["mean"] for r in groups[key] if code in (r["metrics"].get("by_code") or {})]
            cells.append(_fmt(*t_interval(vals)) if vals else "-")
        rows.append([f"`{key[0]}`", f"`{key[1]}`", *cells])
    return ["### Training reward per control code", "", tabulate(rows, ["policy", "reward", *codes], tablefmt="github"), ""]


def _samples(groups: dict[Any, list[dict[str, Any]]], order: list[Any], n: int = 6) -> list[str]:
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
            rows.append([_cell(s["prompt"]), _cell(r0["completion"]), f"{r0['reward']:.3f}", _cell(s["completion"]),
                         f"{s['reward']:.3f}"])
        lines += [f"### Samples: `{key[0]}` vs `reference` (seed {run['seed']}, reward `{key[1]}`)", "",
                  tabulate(rows, ["prompt", "reference", "reward", key[0], "reward"], tablefmt="github"), ""]
    return lines


def _cell(text: str) -> str:
    return text.replace("\n", " ⏎ ").replace("|", "\\|").strip()


def _plot_curves(groups: dict[Any, list[dict[str, Any]]], order: list[Any], path: Path) -> Path:
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


def _plot_reward_kl(groups: dict[Any, list[dict[str, Any]]], order: list[Any], path: Path) -> Path:
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


def report_runs(directory: Path, runs: list[dict[str, Any]]) -> list[Path]:
    """Write ``directory/LEADERBOARD.md`` and plots for the given runs (one section per task/source/preset)."""
    sections: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in runs:
        sections[(r["task"]["id"], r["task"]["source"], r["task"]["preset"])].append(r)
    lines = ["# Steering leaderboard", "", "Generated by `rewardbench report` from the run JSON files under this folder; "
             "do not edit by hand. ↑ higher is better, ↓ lower is better.", ""]
    written: list[Path] = []
    for key in sorted(sections):
        section, files = _task_section(sections[key], directory)
        lines += section
        written += files
    out = directory / "LEADERBOARD.md"
    write_text_atomic(out, "\n".join(lines))
    return [out, *written]
