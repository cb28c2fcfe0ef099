"""Reward-evaluation files -> ``LEADERBOARD.md`` and plots, rendered only from those files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tabulate import tabulate

from rewardbench.io import write_text_atomic
from rewardbench.reward_eval.results import load_results


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def _ci(ci: list[float]) -> str:
    return f"[{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]"


def _provenance(result: dict[str, Any]) -> str:
    m = result["machine"]
    where = m["gpu"] or f"{m['cpu']}, {m['cores']} cores"
    return (
        f"seed {result['config']['seed']}, source `{result['config']['source']}`, {where}, "
        f"{result['created']}, commit `{(result['git_commit'] or 'unknown')[:10]}`"
    )


def _skipped(result: dict[str, Any]) -> list[str]:
    if not result["skipped"]:
        return []
    return ["", "Skipped: " + "; ".join(f"`{s['reward']}` ({s['reason']})" for s in result["skipped"]) + "."]


def _checkpoints(result: dict[str, Any]) -> list[str]:
    lines = []
    for rid, info in sorted((result.get("checkpoints") or {}).items()):
        if info:
            ident = info.get("revision") or next(iter((info.get("weights_sha256") or {"": "?"}).values()))
            lines.append(f"- `{rid}`: `{info['spec']}` ({info['source']}; weights sha256 `{str(ident)[:12]}`)")
        else:
            lines.append(f"- `{rid}`: no model (lexicon)")
    return ["", "Checkpoints:", *lines] if lines else []


def sentiment_section(result: dict[str, Any]) -> list[str]:
    rows = [
        [
            r["pair_set"],
            f"`{r['reward']}` v{r['version']}",
            r["n_pairs"],
            _pct(r["accuracy"]),
            _ci(r["ci95"]),
            _pct(r["classifier_accuracy"]),
        ]
        for r in result["rows"]
    ]
    table = tabulate(
        rows, ["pairs", "reward", "n", "pairwise acc % ↑", "95% CI", "classifier acc % ↑"], tablefmt="github"
    )
    return [
        "## Sentiment: does the reward prefer the text of the target sentiment?",
        "",
        _provenance(result),
        "",
        "Pairs: a held-out text of the target sentiment vs one of the opposite sentiment (no embedded model was "
        "trained on them). Pairwise accuracy counts ties as half; the interval is a percentile bootstrap. "
        "Classifier accuracy: the reward's own label decision on the same texts, where it has labels.",
        "",
        table,
        *_skipped(result),
        *_checkpoints(result),
        "",
    ]


def summary_section(result: dict[str, Any], plot: str | None) -> list[str]:
    fills = [
        [
            r["pair_set"],
            f"`{r['reward']}`",
            r["condition"],
            r["n_documents"],
            _pct(r["fill_accuracy"]),
            _ci(r["fill_accuracy_ci95"]),
            f"{r['logprob']:.3f}",
            f"[{r['logprob_ci95'][0]:.3f}, {r['logprob_ci95'][1]:.3f}]",
        ]
        for r in result["rows"]
    ]
    pairs = [
        [r["pair_set"], r["scorer"], r["n_pairs"], _pct(r["accuracy"]), _ci(r["ci95"])] for r in result["pairwise"]
    ]
    lines = [
        "## Summary-fill: does a summary help a language model recover masked document words?",
        "",
        _provenance(result),
        "",
        "Each document gets the same masked words (content words only) in every condition; accuracy is top-1 "
        "fill accuracy, log-prob the mean log-probability of the true word, both averaged per document; "
        "intervals are bootstrap over documents.",
        "",
        tabulate(
            fills,
            ["pairs", "filler", "condition", "docs", "fill acc % ↑", "95% CI", "log-prob ↑", "95% CI"],
            tablefmt="github",
        ),
        "",
    ]
    if plot:
        lines += [f"![fill accuracy by condition]({plot})", ""]
    lines += [
        "Pairwise accuracy (preferred summary scores higher). The ROUGE-L baseline scores each summary "
        "against its document: none of these pair sets has a reference summary apart from the candidates.",
        "",
        tabulate(pairs, ["pairs", "scorer", "n", "pairwise acc % ↑", "95% CI"], tablefmt="github"),
        *_skipped(result),
        *_checkpoints(result),
        "",
    ]
    return lines


def probes_section(result: dict[str, Any]) -> list[str]:
    rows = [
        [
            f"`{r['reward']}` v{r['version']}",
            repr(r["prompt"]),
            repr(r["better"]),
            repr(r["worse"]),
            f"{r['better_score']:.3f}",
            f"{r['worse_score']:.3f}",
            "pass" if r["passed"] else "**FAIL**",
        ]
        for r in result["rows"]
    ]
    passed = sum(r["passed"] for r in result["rows"])
    return [
        "## Probes: reward cards' own probe pairs",
        "",
        _provenance(result),
        "",
        f"{passed} of {len(result['rows'])} probes pass.",
        "",
        tabulate(rows, ["reward", "prompt", "better", "worse", "score", "score", "result"], tablefmt="github"),
        *_skipped(result),
        "",
    ]


def plot_summary_fill(result: dict[str, Any], path: Path) -> Path:
    """Bar chart of fill accuracy by condition and pair set, with 95% intervals (the seed's bar chart)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sets = list(dict.fromkeys(r["pair_set"] for r in result["rows"]))
    conditions = list(dict.fromkeys(r["condition"] for r in result["rows"]))
    fig, ax = plt.subplots(figsize=(2.8 + 2.2 * len(sets), 4))
    width = 0.8 / len(conditions)
    for j, condition in enumerate(conditions):
        rows = [next(r for r in result["rows"] if r["pair_set"] == s and r["condition"] == condition) for s in sets]
        values = [100 * r["fill_accuracy"] for r in rows]
        errors = [
            [v - 100 * r["fill_accuracy_ci95"][0] for v, r in zip(values, rows)],
            [100 * r["fill_accuracy_ci95"][1] - v for v, r in zip(values, rows)],
        ]
        ax.bar([i + j * width for i in range(len(sets))], values, width, yerr=errors, capsize=3, label=condition)
    ax.set_xticks([i + width * (len(conditions) - 1) / 2 for i in range(len(sets))])
    ax.set_xticklabels([s.replace(": ", ":\n") for s in sets], fontsize=8)
    ax.set_ylabel("masked-word fill accuracy (%)")
    ax.set_title(f"Summary-fill ({', '.join(sorted({r['reward'] for r in result['rows']}))})")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def report(directory: Path) -> list[Path]:
    """Render ``directory/LEADERBOARD.md`` (and plots) from the reward-evaluation files in it.

    Raises:
        ConfigError: the folder does not exist or holds no reward-evaluation file.
    """
    directory = Path(directory)
    order = {"sentiment": 0, "summary": 1, "probes": 2}
    results = sorted(load_results(directory), key=lambda r: (order.get(r["suite"], 9), r["config"]["source"]))
    lines, written = (
        [
            "# Reward evaluation leaderboard",
            "",
            "Generated by `rewardbench report` from the JSON files beside it; do not edit by hand.",
            "",
        ],
        [],
    )
    for result in results:
        if result["suite"] == "sentiment":
            lines += sentiment_section(result)
        elif result["suite"] == "summary":
            name = f"summary_fill_{result['config']['source']}.png"
            written.append(plot_summary_fill(result, directory / name))
            lines += summary_section(result, name)
        elif result["suite"] == "probes":
            lines += probes_section(result)
    out = directory / "LEADERBOARD.md"
    write_text_atomic(out, "\n".join(lines))
    return [out, *written]
