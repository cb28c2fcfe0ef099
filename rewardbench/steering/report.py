"""Run files -> a task leaderboard: reward at matched KL, the final-checkpoint table, flags, frontier and samples.

The final table's columns come from the steering-metric registry (:mod:`rewardbench.steering.metrics`), the row
order of every table from the matched-KL column and the policy registry; curves and fits come from
:mod:`rewardbench.steering.frontier`, figures from :mod:`rewardbench.steering.plots`.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from tabulate import tabulate

from rewardbench.errors import ConfigError
from rewardbench.io import write_json_atomic, write_text_atomic
from rewardbench.policies import POLICIES
from rewardbench.runtime.precision import trained_in
from rewardbench.stats import DERIVED_DIGITS, GAO_FORMS, rounded
from rewardbench.steering import plots, pooling, verdicts
from rewardbench.steering.frontier import Matched, matched
from rewardbench.steering.metrics import Column, metrics
from rewardbench.steering.metrics.base import delta
from rewardbench.steering.metrics.degeneration import THRESHOLDS
from rewardbench.steering.results import SCHEMA, RunResult, final_point, load_runs

Groups = dict[tuple[str, str], list[RunResult]]  #: (policy id, training reward label) -> its runs, one per seed
INTERVALS = (
    "95% intervals are bootstraps whose unit is the held-out prompt (a prompt's completions are resampled "
    "together; the same prompts for every method), with the seeds resampled too when there are several. Δ vs "
    "reference pairs each seed with its own reference on the same prompts. A value's ± is the t half-width over "
    "the seeds' means (the spread of training runs)."
)


def _view(run: RunResult) -> dict[str, Any]:
    """The run as its final point: what the final-checkpoint table and the samples show."""
    point = final_point(run)
    return {**run, "metrics": point["metrics"], "prompt_index": point["prompt_index"], "samples": point["samples"]}


def _groups(runs: list[dict[str, Any]]) -> Groups:
    groups: Groups = defaultdict(list)
    for r in sorted(runs, key=lambda r: r["seed"]):
        groups[(r["policy"]["id"], r["reward"]["label"])].append(r)
    return groups


def _registry_order(key: tuple[str, str]) -> tuple[str, int, str]:
    order = POLICIES.in_order()
    return key[1], order.index(key[0]) if key[0] in order else len(order), key[0]


def _final_table(
    views: list[dict[str, Any]], groups: Groups, order: list[tuple[str, str]], flags: dict[tuple[str, str], list[str]]
) -> str:
    columns: list[Column] = [c for m in metrics() for c in m.columns(views)]
    rows = []
    for key in order:
        group, refs = groups[key], groups.get(("reference", key[1]), [])
        secs = [r["timing"]["train_seconds"] for r in group if r["timing"]["train_seconds"] is not None]
        rows.append(
            [
                f"`{key[0]}`" + (" ⚠" if flags.get(key) else ""),
                f"`{key[1]}`",
                len(group),
                *[c.cell(group, refs) for c in columns],
                f"{sum(secs) / len(secs):.0f}" if secs else "-",
            ]
        )
    return tabulate(rows, ["policy", "trained on", "seeds", *[c.title for c in columns], "train s"], tablefmt="github")


def _matched_cell(m: Matched) -> str:
    if m.mean is None:
        return f"not reached (max KL {m.max_kl:.2f})"
    interval = f" [{m.low:.3f}, {m.high:.3f}]" if m.low is not None else ""
    partial = f" ({m.reached} of {m.seeds} seeds reach it)" if m.reached < m.seeds else ""
    return f"{m.mean:.3f}{interval}{partial}"


def _matched_table(
    groups: Groups, k: float, flags: dict[tuple[str, str], list[str]]
) -> tuple[list[str], list[tuple[str, str]], dict]:
    """The matched-KL leaderboard, its row order (best first; not reached last) and the values by method."""
    values = {
        key: matched(runs, groups.get(("reference", key[1]), []), k)
        for key, runs in groups.items()
        if key[0] != "reference"
    }
    order = sorted(
        values, key=lambda key: (values[key].mean is None, -(values[key].mean or 0.0), _registry_order(key))
    )
    rows = []
    for key in [g for g in groups if g[0] == "reference"] + order:
        base = (
            statistics.fmean(final_point(r)["metrics"]["train_reward"]["mean"] for r in groups[("reference", key[1])])
            if ("reference", key[1]) in groups
            else None
        )
        if key[0] == "reference":
            cell, gain, reach = f"{base:.3f} (at KL 0)", "-", "-"
        else:
            m = values[key]
            cell = _matched_cell(m)
            gain = "-" if m.gain is None else f"{m.gain:+.3f}"
            if m.gain is not None and m.gain_low is not None:
                gain += f" [{m.gain_low:+.3f}, {m.gain_high:+.3f}]"
            reach = f"{m.max_kl:.2f}"
        below = "-" if key[0] == "reference" else ", ".join(str(verdicts.points_below(r, k)) for r in groups[key])
        cost = [verdicts.training_cost(groups[key]), verdicts.serving_samples(groups[key], k)]
        unit = values[key].unit if key in values else ("seeds, prompts" if len(groups[key]) > 1 else "prompts")
        rows.append(
            [
                f"`{key[0]}`",
                f"`{key[1]}`",
                len(groups[key]),
                cell,
                gain,
                reach,
                below,
                *cost,
                unit,
                "; ".join(flags.get(key, [])) or "-",
            ]
        )
    headers = [
        "policy",
        "trained on",
        "seeds",
        f"train reward at KL = {k:g} ↑",
        "Δ vs reference ↑",
        "largest KL reached",
        f"points in (0, {k:g}] by seed",
        "training cost",
        f"samples per served completion at KL {k:g}",
        "interval unit",
        "flags",
    ]
    return [tabulate(rows, headers, tablefmt="github")], order, values


def _fit_lines(fits: dict[tuple[str, str], dict[str, Any]], order: list[tuple[str, str]]) -> list[str]:
    rows = [
        [
            f"`{k[0]}`",
            f"`{k[1]}`",
            f"R(d) = {GAO_FORMS[fits[k]['form']]}",
            f"{fits[k]['alpha']:.4f}",
            f"{fits[k]['beta']:.4f}",
            f"{fits[k]['r2']:.2f}",
            fits[k]["n"],
        ]
        for k in order
        if k in fits and fits[k]["shaped"]
    ]
    unshaped = [f"- `{k[0]}` on `{k[1]}`: {fits[k]['reason']}" for k in order if k in fits and not fits[k]["shaped"]]
    if not rows and not unshaped:
        return []
    lines = [
        "### Gao et al. fits",
        "",
        "Reward gain over the seed's reference against d = sqrt(KL), fitted by least squares over every "
        "evaluation point of every seed (Gao, Schulman & Hilton 2022); tabled and drawn (over the measured KL "
        "range only) where both coefficients are positive and at least two distinct KLs were measured.",
        "",
    ]
    if rows:
        headers = ["policy", "trained on", "form", "alpha", "beta", "R²", "points"]
        lines += [tabulate(rows, headers, tablefmt="github"), ""]
    if unshaped:
        lines += ["Not Gao-shaped in the measured range (no fit drawn or tabled):", "", *unshaped, ""]
    return lines


def _task_section(runs: list[RunResult], directory: Path) -> tuple[list[str], list[Path]]:
    first = runs[0]
    task, source, preset = first["task"]["id"], first["task"]["source"], first["task"]["preset"]
    k = first["config"].get("matched_kl", 1.0)
    pooling.check(runs, directory)
    groups = _groups(runs)
    views = _groups([_view(r) for r in runs])
    seeds = sorted({r["seed"] for r in runs})
    degenerate = {key: verdicts.degenerate(views[key], views.get(("reference", key[1]), [])) for key in views}
    hacking = {
        key: verdicts.hacking(views[key], views.get(("reference", key[1]), []), views_flat(views), degenerate[key])
        for key in views
    }
    flags = {
        key: (["⚠ hacking"] if hacking[key] else []) + (["degenerate"] if degenerate[key] else []) for key in views
    }
    matched_lines, order, values = _matched_table(groups, k, flags)
    final_order = [key for key in groups if key[0] == "reference"] + order
    fits = verdicts.fits(groups)
    m = first["machine"]
    where = m["gpu"] or f"{m['cpu']}, {m['cores']} cores"
    fl = final_point(first)["metrics"]["fluency"]
    splits = {r["config"].get("eval_split", "heldout") for r in runs}
    if len(splits) > 1:
        raise ConfigError(
            f"{directory}: {task} mixes tuning runs (evaluated on training prompts, `run --tune`) with held-out "
            "runs; keep tuning runs in a folder of their own"
        )
    tuning = splits == {"train"}
    lines = [
        f"## {task} ({source}, preset {preset})" + (" — tuning runs (training prompts, not a leaderboard)" * tuning),
        "",
        first["task"]["description"],
        "",
        f"Seeds {seeds}; {first['config']['n_eval_prompts']} {'training' if tuning else 'held-out'} prompts x "
        f"{first['config']['preset']['samples_per_prompt']} samples per evaluation. {INTERVALS} "
        "KL(policy ‖ reference) in nats per completion, measured by the harness from the sampled tokens under "
        "the task's sampling settings (k1 and k3), the same way for every policy; best-of-n states its KL "
        f"(an estimate from the reference samples' reward ranks, and the bound log n - (n-1)/n). Perplexity: "
        f"{fl['judge_lm']} ({fl['note']}). Machine: {where}. {_precision_line(groups)} {_placement_line(groups)}",
        "",
        f"### Leaderboard: training reward at matched KL = {k:g} nats",
        "",
        f"Each method's reward-KL curve (the reference at KL 0, then every evaluation point) read at KL = {k:g} "
        "by linear interpolation; a curve that never reaches it says so. Δ: each seed's reward there minus its own "
        "reference's, averaged over the seeds that reach the KL. Ordered by this column. Points in (0, k]: the "
        "evaluation points each seed measured between the reference and the matched KL, on which the reading "
        "rests. Training cost: mean train seconds on the machine named above and, where the run recorded them, "
        "completions generated in training; samples per served completion at the matched KL: the best-of-n n on "
        "either side of it, else 1.",
        "",
        *matched_lines,
        "",
    ]
    lines += _flag_lines(hacking, degenerate, final_order)
    frontier_png = plots.frontier(groups, final_order, fits, k, directory / f"frontier_{task}_{source}_{preset}.png")
    lines += [
        f"![reward-KL frontier]({frontier_png.name})",
        "",
        *_fit_lines(fits, order),
        "### Final checkpoints",
        "",
        "Every policy at the end of its training (best-of-n at its preset's n), with every metric.",
        "",
        _final_table(views_flat(views), views, final_order, flags),
        "",
    ]
    skipped = {s["reward"]: s["reason"] for v in views_flat(views) for s in v["metrics"]["judges_skipped"]}
    if skipped:
        lines += ["Judges skipped: " + "; ".join(f"`{k}` ({v})" for k, v in sorted(skipped.items())) + ".", ""]
    lines += _judge_matrix_lines(views, final_order)
    for metric in metrics():
        if metric.section is not None:
            lines += metric.section(views, final_order)
    lines += _samples(views, final_order)
    lines += _showcase(groups, final_order)
    curves_png = plots.training_curves(groups, final_order, directory / f"curves_{task}_{source}_{preset}.png")
    lines += [f"![training curves]({curves_png.name})", ""]
    data = directory / f"frontier_{task}_{source}_{preset}.json"
    write_json_atomic(
        data,
        {
            "task": task,
            "source": source,
            "preset": preset,
            "matched_kl": k,
            "float_digits": DERIVED_DIGITS,  # every derived float is written at this many significant digits
            "methods": rounded(
                [
                    {
                        "policy": key[0],
                        "trained_on": key[1],
                        "fit": fits.get(key),
                        "matched": vars(values[key]),
                        "hacking": hacking[key],
                        "degenerate": degenerate[key],
                    }
                    for key in order
                ]
            ),
        },
    )
    return lines, [frontier_png, curves_png, data]


def _precision_line(groups: Groups) -> str:
    """Each trained row's training precision (one per row: :func:`pooling.check` refuses a mix)."""
    trained = {
        key: trained_in(runs[0]["config"].get("precision"))
        for key, runs in groups.items()
        if POLICIES.get(key[0]).trains
    }
    if not trained:
        return ""
    if len(set(trained.values())) == 1:
        return f"Training precision: {next(iter(trained.values()))} in every trained row."
    return "Training precision: " + ", ".join(f"{p} on {label}: {v}" for (p, label), v in trained.items()) + "."


def _placement_line(groups: Groups) -> str:
    """Where the trained rows' evaluation points were taken: evenly spaced steps and/or KL-probe targets."""
    trained = [r for key, runs in groups.items() if POLICIES.get(key[0]).trains for r in runs]
    if not trained:
        return ""
    spaced = sorted({r["config"]["preset"].get("eval_points", 1) for r in trained})
    parts = []
    if spaced != [1]:
        parts.append(f"{'/'.join(map(str, spaced))} evenly spaced steps, the last after training")
    probes = {
        (tuple(r["kl_probe"]["targets"]), r["kl_probe"]["prompts"], r["kl_probe"]["per_prompt"])
        for r in trained
        if "kl_probe" in r
    }
    for targets, prompts, per_prompt in sorted(probes):
        parts.append(
            f"the first step at which a KL probe (k3 of {prompts * per_prompt} completions of training prompts, "
            f"after every step) reached each of {', '.join(f'{t:g}' for t in targets)} nats"
        )
    if spaced == [1]:
        parts.append("the end of training")
    why = any("why" in p for r in trained for p in r["points"])
    said = " (each point's `why` in its run file)" * why
    return "Trained rows were evaluated at " + " and ".join(parts) + said + "."


def _scorer_values(run: dict[str, Any], scorer: str) -> list[float] | None:
    """A final point's per-sample scores by ``scorer``: the training reward's, or a judge's."""
    if run["reward"]["label"] == scorer:
        return run["metrics"]["train_reward"].get("values")
    return (run["metrics"]["judges"].get(scorer) or {}).get("values")


def _judge_matrix_lines(views: Groups, order: list[tuple[str, str]]) -> list[str]:
    """Each (policy, training reward) scored at its final checkpoint by every training reward and judge, as the
    difference from the reference: with several training rewards the cross-reward matrix (where optimising one
    reward shows its blind spots under the others), with one the judges' verdict on the trained policies. Left out
    when the judges are read per control code (their directions differ by code: that section gives them)."""
    trained_on = list(dict.fromkeys(key[1] for key in order))
    judges = sorted({j for v in views_flat(views) for j in v["metrics"]["judges"]} - set(trained_on))
    per_code = any("judges_by_code" in v["metrics"] for v in views_flat(views))
    if len(trained_on) < 2 and (not judges or per_code):
        return []
    scorers = trained_on + judges
    rows = []
    for key in order:
        if key[0] == "reference":
            continue
        refs = views.get(("reference", key[1]), [])
        cells = []
        for scorer in scorers:
            d = delta(views[key], refs, lambda r, s=scorer: _scorer_values(r, s)) if refs else None
            cell = f"{d[0]:+.3f} [{d[1]:+.3f}, {d[2]:+.3f}]" if d else "-"
            cells.append(f"**{cell}**" if scorer == key[1] else cell)
        rows.append([f"`{key[0]}`", f"`{key[1]}`", *cells])
    if not rows:
        return []
    how = (
        "the difference from the reference, each seed paired with its own reference on the same prompts, 95% "
        "interval over seeds and prompts; the reward a row trained on is in bold."
    )
    if len(trained_on) < 2:
        head = [
            "### Judges vs reference",
            "",
            "Each policy at its final checkpoint scored by its training reward and by every judge (columns): "
            f"{how} A policy whose training reward rises while the judges do not has learned the reward, not the "
            "task.",
        ]
    else:
        head = [
            "### Cross-reward matrix",
            "",
            "Each policy trained on each training reward (rows), scored at its final checkpoint by every training "
            f"reward and judge (columns): {how} A row that gains on its own reward but not on the others has "
            "learned that reward's blind spots rather than the sentiment.",
        ]
    return [
        *head,
        "",
        tabulate(rows, ["policy", "trained on", *[f"{s} ↑" for s in scorers]], tablefmt="github"),
        "",
    ]


def views_flat(views: Groups) -> list[dict[str, Any]]:
    return [v for group in views.values() for v in group]


def _flag_lines(hacking: dict, degenerate: dict, order: list[tuple[str, str]]) -> list[str]:
    lines = [
        "### Flags",
        "",
        "**Possible reward hacking**: the training reward rose (its interval against the reference above zero) "
        "and at least one of: most judges fell (intervals below zero), degeneration, or judge-LM perplexity at "
        f"least {verdicts.FLUENCY_FACTOR:g}x the reference's. **Degenerate**: in more than half of the seeds, "
        "against the reference on the same prompts, any of: " + "; ".join(THRESHOLDS.values()) + ".",
        "",
    ]
    flagged = [key for key in order if hacking.get(key) or degenerate.get(key)]
    for key in flagged:
        why = [f"possible reward hacking: {'; '.join(hacking[key])}"] if hacking.get(key) else []
        why += [f"degenerate: {'; '.join(degenerate[key])}"] if degenerate.get(key) and not hacking.get(key) else []
        lines.append(f"- `{key[0]}` with `{key[1]}`: " + " / ".join(why))
    if not flagged:
        lines.append("No run is flagged.")
    return [*lines, ""]


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


def _showcase(groups: Groups, order: list[tuple[str, str]]) -> list[str]:
    """Each policy's completions of the task's showcase prompts (its lowest seed that has them), reference first."""
    rows: dict[str, list[list[str]]] = defaultdict(list)
    for key in order:
        runs = [r for r in groups.get(key, []) if r.get("showcase")]
        if not runs:
            continue
        run = min(runs, key=lambda r: r["seed"])
        for s in run["showcase"]:
            rows[s["prompt"]].append(
                [f"`{key[0]}`", f"`{key[1]}`", str(run["seed"]), _cell(s["completion"]), f"{s['reward']:.3f}"]
            )
    lines = []
    for prompt, table in rows.items():
        lines += [
            f'### Showcase: "{prompt}"',
            "",
            "The task's own prompt, sampled from every policy after its training (best-of-n at its preset's n), "
            "as the seed's notebook printed it; it may be a training prompt, so it is shown, not measured.",
            "",
            tabulate(table, ["policy", "trained on", "seed", "completion", "reward"], tablefmt="github"),
            "",
        ]
    return lines


#: every line break ``str.splitlines`` knows (a sampled ``\r`` alone still breaks a markdown table row)
_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def _cell(text: str) -> str:
    """A completion as one markdown table cell: each line break shown as ⏎, pipes escaped."""
    return _LINE_BREAK.sub(" ⏎ ", text).replace("|", "\\|").strip()


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


def report_runs(directory: Path, runs: list[RunResult], *, partial: tuple[int, int] | None = None) -> list[Path]:
    """Write ``directory/LEADERBOARD.md``, figures and frontier data (a section per task, source and preset).

    ``partial``: (finished, total) cells of a grid still running; the board then says so in its header.
    """
    sections: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in runs:
        sections[(r["task"]["id"], r["task"]["source"], r["task"]["preset"])].append(r)
    lines = [
        "# Steering leaderboard",
        "",
        "Generated by `rewardbench report` from the run JSON files under this folder; "
        "do not edit by hand. ↑ higher is better, ↓ lower is better.",
        "",
        *([f"Partial: {partial[0]} of {partial[1]} cells finished.", ""] if partial else []),
    ]
    written: list[Path] = []
    for key in sorted(sections):
        section, files = _task_section(sections[key], directory)
        lines += section
        written += files
    out = directory / "LEADERBOARD.md"
    write_text_atomic(out, "\n".join(lines))
    return [out, *written]
