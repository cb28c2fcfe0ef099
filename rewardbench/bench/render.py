"""``BENCH.md`` from ``bench.json`` alone (``rewardbench bench --render-only`` re-renders it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tabulate import tabulate

#: The issue's targets on a CPU: (case, batch, speed-up over the seed loop, fraction of the matmul limit)
TARGETS = (
    ("sentiment-minilm-tweets", 64, 5.0, 0.30),
    ("summary-fill-smollm2", 8, 10.0, None),
    ("summary-fill-masked", 8, 10.0, None),
    ("inverse-perplexity", 64, 5.0, None),
)
HARNESS_TARGET = 0.10
MEMORY_TARGET_MB = 8 * 1024


def _f(value: float | None, fmt: str = ".1f", suffix: str = "") -> str:
    return "–" if value is None else f"{value:{fmt}}{suffix}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def scoring_section(case: dict[str, Any]) -> list[str]:
    unit = case["unit"]
    rows = []
    for r in case["batches"]:
        rows.append(
            [
                r["batch"],
                _f(r["items_per_s"]),
                _f(r.get("tokens_per_s"), ".0f"),
                _pct(r.get("limit_fraction")),
                _pct(r.get("padding_overhead")),
                _f(r.get("speedup_vs_seed"), ".2f", "x"),
                _f(r["rss_peak_mb"], ".0f"),
                _f(r.get("cuda_peak_mb"), ".0f"),
            ]
        )
    notebook = case.get("seed")  # the original notebooks' loop (see bench/results.py)
    if notebook:
        rows.append(
            [
                f"seed: {case['seed_label']}",
                _f(notebook["items_per_s"]),
                "",
                _pct(notebook.get("limit_fraction")),
                "",
                "1.00x",
                _f(notebook["rss_peak_mb"], ".0f"),
                _f(notebook.get("cuda_peak_mb"), ".0f"),
            ]
        )
    headers = [
        "batch",
        f"{unit}s/s",
        "tokens/s",
        "of matmul limit",
        "padding overhead",
        "vs seed",
        "peak RSS MB",
        "peak CUDA MB",
    ]
    lines = [
        f"### {case['case']}",
        "",
        f"Reward `{case['reward']}`, checkpoint `{case['checkpoint']}`."
        + (f" {case['note']}." if case.get("note") else ""),
        "",
        tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True),
        "",
    ]
    if notebook:
        facts = [f"seed loop timed on {notebook['items']} {unit}s"]
        if notebook.get("speedup_ceiling"):
            facts.append(
                f"it reaches {_pct(notebook['limit_fraction'])} of the matmul limit, so no batching can beat it "
                f"by more than **{notebook['speedup_ceiling']:.1f}x** here"
            )
        if notebook.get("max_abs_diff") is not None:
            facts.append(f"largest |ours − seed| score difference {notebook['max_abs_diff']:.2g}")
        lines += ["; ".join(facts) + ".", ""]
    return lines


def targets_section(payload: dict[str, Any]) -> list[str]:
    by_case = {c["case"]: c for c in payload.get("scoring", [])}
    rows = []
    for name, batch, speedup, fraction in TARGETS:
        case = by_case.get(name)
        row = next((r for r in case["batches"] if r["batch"] == batch), None) if case else None
        if row is None:
            continue
        ceiling = (case.get("seed") or {}).get("speedup_ceiling")
        rows.append(
            [
                f"{name} at batch {batch}: ≥{speedup:g}x the seed loop",
                _f(row.get("speedup_vs_seed"), ".2f", "x"),
                "yes" if (row.get("speedup_vs_seed") or 0) >= speedup else "no",
                _f(ceiling, ".1f", "x"),
            ]
        )
        if fraction is not None:
            rows.append(
                [
                    f"{name} at batch {batch}: ≥{fraction:.0%} of the matmul limit",
                    _pct(row.get("limit_fraction")),
                    "yes" if (row.get("limit_fraction") or 0) >= fraction else "no",
                    "",
                ]
            )
    for r in payload.get("training", []):
        rows.append(
            [
                f"{r['policy']}: harness overhead <{HARNESS_TARGET:.0%} of step time",
                _pct(r["fractions"]["harness"]),
                "yes" if r["fractions"]["harness"] < HARNESS_TARGET else "no",
                "",
            ]
        )
    cpu_runs = [r for r in payload.get("training", []) if r["preset"] == "cpu" and r["task"] == "dogecoin_negative"]
    if cpu_runs:
        peak = max(r["rss_peak_mb"] for r in cpu_runs)
        rows.append(
            [
                "dogecoin_negative cpu preset training: peak RSS ≤ 8 GiB",
                f"{peak / 1024:.1f} GiB",
                "yes" if peak <= MEMORY_TARGET_MB else "no",
                "",
            ]
        )
    if not rows:
        return []
    return [
        "## Targets",
        "",
        tabulate(
            rows,
            headers=["target", "reached", "met", "ceiling (limit / seed loop)"],
            tablefmt="github",
            disable_numparse=True,
        ),
        "",
    ]


def training_section(runs: list[dict[str, Any]]) -> list[str]:
    from rewardbench.bench.training import PHASES

    rows = []
    for r in runs:
        rows.append(
            [r["policy"], r.get("precision", "fp32"), r["batch_size"], r["steps"]]
            + [_f(r["step_seconds"], ".2f"), _f(r["samples_per_s"], ".2f")]
            + [f"{r['per_step'][p]:.2f} ({_pct(r['fractions'][p])})" for p in PHASES]
            + [_f(r["rss_peak_mb"] / 1024, ".1f"), _f((r.get("cuda_peak_mb") or 0) / 1024 or None, ".1f")]
        )
    headers = (
        ["policy", "precision", "batch", "steps", "s/step", "samples/s"]
        + [f"{p.replace('_', ' ')} s" for p in PHASES]
        + ["peak RSS GiB", "peak CUDA GiB"]
    )
    first = runs[0]
    return [
        "## Training",
        "",
        f"Task `{first['task']}`, `{first['preset']}` preset, embedded zoo; each policy trained for "
        f"{first['steps']} steps in this process after its models were loaded. Seconds per step (share of the "
        "step) by phase; phases are exclusive.",
        "",
        tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True),
        "",
        "- **generation**: `generate` (TRL) or the token environment's LM forward and pfrl's act (pfrl-ppo).",
        "- **reward**: the zoo reward, model forward included.",
        "- **ref value forward**: forwards with gradients off outside generation and reward: the reference "
        "and value models and the rollout log-probs.",
        "- **optimisation**: forwards with gradients on, `backward`, optimiser steps (pfrl: its whole update).",
        "- **checkpoint**: the training thread's part of the checkpoints that make GRPO/RLOO resumable (a copy of "
        "the trainable weights and optimiser state; the file writing runs on a thread of its own), at a full run's "
        "cadence (its evaluation points), so a short bench pays them at the same rate per step.",
        "- **harness**: rewardbench's glue: the TRL reward adapter (decode, split, columns), the token "
        "environment's bookkeeping, pfrl's per-token KL for the curve, the curve callback.",
        "- **other**: the rest of the trainer's step (its own bookkeeping, logging, data loading).",
        "",
    ]


def precision_section(payload: dict[str, Any]) -> list[str]:
    """fp32 against bf16: limits, training steps, scoring speed and agreement, log-prob error."""
    part = payload["precision"]
    fp32, bf16 = (part["limits"][p]["flops_per_s"] for p in ("fp32", "bf16"))
    kernels = part.get("bf16_kernels", True)  # benches before it was recorded ran where bf16 had kernels
    lines = [
        "## Precision: fp32 and bf16 side by side",
        "",
        f"Matmul limits measured in this run: fp32 **{fp32 / 1e9:.0f}**, bf16 **{bf16 / 1e9:.3g}** GFLOP/s "
        f"(bf16/fp32 = **{bf16 / fp32:.3g}x**). For training, `--precision auto` picks fp32 on every CPU and "
        "bf16 on a CUDA GPU with bf16: on a CPU, bf16 training moves the KL a policy reaches (dogecoin_negative's "
        "trl-ppo seed 0: KL 12-20 nats in bf16 against 7-9 in fp32 on an AVX512-BF16 EPYC) and so the verdict, "
        "whatever the speed-up below; `--precision bf16` asks for it, and a board never pools the two.",
        "",
    ]
    if not kernels:
        lines += [
            f"**This {part['limits']['bf16']['device']} has no bf16 kernels** (oneDNN reports no bf16 support): "
            "torch runs bf16 on fallback paths, so bf16 training is not run here (`--precision bf16` is refused), "
            'the bf16 rows below show what a user who forces `dtype="bfloat16"` on a reward '
            "gets, and a share of the bf16 matmul limit is left out (a plain bf16 matmul runs slower here than the "
            "models' bf16 layers, so the share would exceed 100%).",
            "",
        ]
    by_policy: dict[str, dict[str, Any]] = {}
    for r in payload.get("training", []):
        by_policy.setdefault(r["policy"], {})[r.get("precision", "fp32")] = r
    rows = [
        [policy]
        + [_f(runs[p]["step_seconds"], ".2f") if p in runs else "-" for p in ("fp32", "bf16")]
        + [_f(runs[p]["samples_per_s"], ".2f") if p in runs else "-" for p in ("fp32", "bf16")]
        + [
            f"{runs['fp32']['step_seconds'] / runs['bf16']['step_seconds']:.2f}x"
            if len(runs) == 2
            else ("-" if kernels else "not run: no bf16 kernels")
        ]
        for policy, runs in by_policy.items()
    ]
    if rows:
        lines += [
            "Training (same task, preset, batch and steps as the table below):",
            "",
            tabulate(
                rows,
                headers=["policy", "fp32 s/step", "bf16 s/step", "fp32 samples/s", "bf16 samples/s", "bf16 speed-up"],
                tablefmt="github",
                disable_numparse=True,
            ),
            "",
        ]
    rows = [
        [
            s["reward"],
            s["batch"],
            _f(s["fp32"]["texts_per_s"]),
            _pct(s["fp32"]["limit_fraction"]),
            _f(s["bf16"]["texts_per_s"]),
            _pct(s["bf16"]["limit_fraction"] if kernels else None),
            f"{s['speedup']:.2f}x",
            f"{s['pairwise_agreement']:.4f}",
            f"{s['max_abs_diff']:.2g}",
        ]
        for s in part["scoring"]
    ]
    err = part["logprob_error"]
    lines += [
        'Scoring (`dtype="bfloat16"` on the reward against the fp32 default; each as a share of its own '
        f"matmul limit). *Ranking agreement*: the share of pairs of {part['scoring'][0]['agreement_texts']} "
        "held-out tweets that the bf16 scores order as the fp32 scores do.",
        "",
        tabulate(
            rows,
            headers=[
                "reward",
                "batch",
                "fp32 texts/s",
                "of fp32 limit",
                "bf16 texts/s",
                "of bf16 limit",
                "bf16 speed-up",
                "ranking agreement",
                "max abs score diff",
            ],
            tablefmt="github",
            disable_numparse=True,
        ),
        "",
        f"Log-prob error of bf16 under `{err['model']}` on {err['texts']} tweets ({err['tokens']} tokens): mean "
        f"|Δ| {err['mean_abs_token_diff']:.3f} nats per token (max {err['max_abs_token_diff']:.2f}); summed "
        f"over a text, as the KL's k1 sums it, mean {err['mean_abs_sequence_diff']:.2f} nats (max "
        f"{err['max_abs_sequence_diff']:.2f}). Matched-KL comparisons are made at about 1.5 nats, so the harness "
        "measures KL and perplexity in fp32 on a CPU whatever the training precision.",
        "",
    ]
    return lines


def serving_section(part: dict[str, Any], machine: dict[str, Any] | None = None) -> list[str]:
    """The BENCH.md section of one serving case (:mod:`rewardbench.bench.serving`); ``machine``: the bench file's,
    named against the case's own where they differ."""
    s, p = part["server"], part["in_process"]
    lines = ["## Reward server (`rewardbench serve`) under load", ""]
    own = part.get("machine")
    if own and machine and own != machine:
        lines += [
            f"Measured on another machine than the sections above: {own['cpu']}, {own['cores']} cores"
            + (f", at commit `{part['git_commit'][:10]}`" if part.get("git_commit") else "")
            + "; its server figures compare only with the in-process figures beside them, from the same run.",
            "",
        ]
    lines += [
        f"`{part['reward']}` over loopback: {part['clients']} concurrent clients x "
        f"{part['requests'] // part['clients']} requests of {part['batch']} text(s) (keep-alive), against "
        f"calling the reward in-process {part['requests']} times at the same batch. The server gathered the "
        f"requests into {part['reward_calls']} reward calls ({part['texts_per_reward_call']:.1f} texts a call).",
        "",
        "| | requests/s | texts/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, row in (("server", s), ("in-process", p)):
        lines.append(
            f"| {label} | {row['requests_per_s']:.0f} | {row['texts_per_s']:.0f} | {row['p50_ms']:.2f} | "
            f"{row['p99_ms']:.2f} |"
        )
    lines += ["", "Bad requests, each followed by a good one:", "", "| request | status | answer | served after |"]
    lines.append("|---|---:|---|---|")
    for row in part["bad_requests"]:
        answer = row["error"].replace("|", "\\|")[:90]
        lines.append(f"| {row['request']} | {row['status']} | {answer} | {'yes' if row['served_after'] else 'no'} |")
    return lines + [""]


def render(payload: dict[str, Any]) -> str:
    m = payload["machine"]
    limit = payload["limit"]
    packages = payload.get("packages", {})
    lines = [
        "# rewardbench bench",
        "",
        f"Machine: **{m['cpu']}**, {m['cores']} cores, {m['torch_threads']} torch threads"
        f"{', GPU ' + m['gpu'] if m.get('gpu') else ', no GPU'}. torch {packages.get('torch')}, transformers "
        f"{packages.get('transformers')}, trl {packages.get('trl')}. "
        f"Commit `{(payload.get('git_commit') or '?')[:10]}`, "
        f"{payload['created']}.",
        "",
        f"Matmul limit measured in the same run: **{limit['flops_per_s'] / 1e9:.0f} GFLOP/s** "
        f"({limit['size']}x{limit['size']} {limit['dtype']} matmul on {limit['device']}, best of several).",
        "",
        "Regenerate with `make bench` (or `rewardbench bench`); this file is rendered from `bench.json`.",
        "",
    ]
    commits = sorted(
        {
            str(c.get("git_commit"))[:10]
            for part in ("scoring", "training")
            for c in payload.get(part, [])
            if c.get("git_commit")
        }
    )
    if len(commits) > 1 or (commits and commits[0] != str(payload.get("git_commit"))[:10]):
        lines += [
            f"Cases were measured at commits {', '.join(f'`{c}`' for c in commits)} (a resumed bench); each "
            "case's commit is in `bench.json`.",
            "",
        ]
    lines += targets_section(payload)
    if payload.get("scoring"):
        lines += [
            "## Scoring",
            "",
            "Texts/s over the same held-out tweets (mean 30 tokens) or aclsum documents for every batch size; "
            "the seed row scores one item per call the seeds' way with the same model. *Of matmul limit*: "
            "the model FLOPs of the items (each counted alone, so padding is not credited) per second, over "
            "the limit above. *Padding overhead*: extra FLOPs the padded batches executed.",
            "",
        ]
        for case in payload["scoring"]:
            lines += scoring_section(case)
    if payload.get("precision"):
        lines += precision_section(payload)
    if payload.get("training"):
        lines += training_section(payload["training"])
    for case in payload.get("serving", []):
        lines += serving_section(case, payload["machine"])
    return "\n".join(lines).rstrip() + "\n"


def write(payload: dict[str, Any], path: Path) -> Path:
    """Render ``payload`` to ``path`` atomically."""
    from rewardbench.io import write_text_atomic

    return write_text_atomic(path, render(payload))
