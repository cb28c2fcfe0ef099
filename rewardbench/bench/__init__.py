"""``rewardbench bench``: scoring and training throughput against the seeds' way, written to ``BENCH.md``.

Everything measured goes to ``bench.json`` (schema ``rewardbench.bench/1``) after each case, atomically;
``BENCH.md`` is rendered from that file alone (``render.py``; the file's schema is ``results.py``). ``--resume``
keeps the cases a previous, interrupted bench on the same machine already measured.

To add a scoring case: write a ``*_case`` builder in ``scoring.py`` (copy ``vader_case``) with the notebooks' way of
scoring beside ours, and name it in ``CASES`` and ``_scoring``. The training part times every policy that trains
(``rewardbench.policies.trained_policy_ids``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rewardbench.bench.results import SCHEMA, BenchResult, check_bench, load_bench
from rewardbench.errors import ConfigError
from rewardbench.io import machine, stamp, write_json_atomic
from rewardbench.policies import trained_policy_ids
from rewardbench.registry import did_you_mean

PARTS = ("scoring", "training", "precision", "serving")
CASES = ("sentiment-minilm-tweets", "vader", "inverse-perplexity", "summary-fill-smollm2", "summary-fill-masked")


@dataclass(frozen=True)
class BenchConfig:
    """One ``rewardbench bench`` invocation."""

    out: str = "results/bench"  #: BENCH.md and bench.json go here
    parts: tuple[str, ...] = PARTS  #: scoring, training or both
    cases: tuple[str, ...] = CASES  #: scoring cases to run
    batch_sizes: tuple[int, ...] = (1, 8, 64, 256)  #: texts per reward call
    document_batch_sizes: tuple[int, ...] = (1, 8, 64)  #: documents per summary-fill call
    policies: tuple[str, ...] = ()  #: trainers of the training part (default: every policy that trains)
    task: str = "dogecoin_negative"  #: task of the training part
    preset: str = ""  #: preset of the training part ("": gpu with CUDA, else cpu)
    steps: int = 3  #: training steps timed per policy
    #: precisions every trainer of the training part runs in (bf16 is skipped where the device has no bf16 kernels)
    precisions: tuple[str, ...] = ("fp32", "bf16")
    repeats: int = 3  #: timed repeats per scoring measurement (the best is reported)
    #: rewards of the serving part: ``rewardbench serve`` under a fixed load against in-process calls, bad requests
    serving_rewards: tuple[str, ...] = ("vader", "inverse-perplexity")
    resume: bool = False  #: keep cases already in bench.json from this machine


def validate(config: BenchConfig) -> None:
    """Refuse unknown parts, cases and policies with the valid choices named."""
    for field_name, values, valid in (
        ("part", config.parts, PARTS),
        ("case", config.cases, CASES),
        ("policy", config.policies, tuple(trained_policy_ids())),
    ):
        for value in values:
            if value not in valid:
                raise ConfigError(
                    f"unknown bench {field_name} {value!r}{did_you_mean(value, valid)} "
                    f"(choose from {', '.join(valid)})"
                )
    for size in (*config.batch_sizes, *config.document_batch_sizes):
        if size < 1:
            raise ConfigError(f"batch sizes must be >= 1, got {size}")
    if config.steps < 1 or config.repeats < 1:
        raise ConfigError(f"steps and repeats must be >= 1, got {config.steps} and {config.repeats}")


def run_bench(config: BenchConfig, *, echo: Callable[[str], None] = print) -> Path:
    """Run the bench, write ``bench.json`` and ``BENCH.md`` under ``config.out``; returns the markdown path."""
    import torch

    from rewardbench.bench import render
    from rewardbench.bench.measure import matmul_limit

    validate(config)
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / "bench.json"
    payload: BenchResult = {
        "schema": SCHEMA,
        **stamp(),
        "config": asdict(config),  # type: ignore[typeddict-item]
        "scoring": [],
        "training": [],
    }
    if config.resume and json_path.is_file():
        previous = load_bench(json_path)
        if previous["machine"] == machine():
            payload["scoring"], payload["training"] = previous.get("scoring", []), previous.get("training", [])
            if previous.get("precision"):
                payload["precision"] = previous["precision"]
            if previous.get("serving"):
                payload["serving"] = previous["serving"]
            if previous.get("limit"):  # the kept scoring fractions are relative to the limit measured with them
                payload["limit"] = previous["limit"]
            echo(f"resuming: {len(payload['scoring'])} scoring and {len(payload['training'])} training cases kept")
    echo(
        f"bench on {payload['machine']['cpu']} ({payload['machine']['cores']} cores"
        f"{', ' + payload['machine']['gpu'] if payload['machine']['gpu'] else ''}) -> {out}"
    )
    payload["limit"] = payload.get("limit") or matmul_limit()
    echo(f"  matmul limit: {payload['limit']['flops_per_s'] / 1e9:.0f} GFLOP/s ({payload['limit']['dtype']})")

    def save() -> None:
        write_json_atomic(json_path, check_bench(payload, str(json_path)))

    save()
    if "scoring" in config.parts:
        _scoring(config, payload, out, save, echo)
    # measured unless resumed from this machine; a part from before the bench recorded bf16 kernel support is
    # measured again (and kept as it is when this invocation does not run the precision part)
    if "precision" in config.parts and "bf16_kernels" not in payload.get("precision", {}):
        _precision(payload, echo)
        save()
    if "serving" in config.parts:
        _serving(config, payload, save, echo)
    if "training" in config.parts:
        from rewardbench.runtime.precision import bf16_supported

        preset = config.preset or ("gpu" if torch.cuda.is_available() else "cpu")
        done = {(r["policy"], r.get("precision", "fp32")) for r in payload["training"]}
        device = "cuda" if torch.cuda.is_available() else "cpu"
        precisions = [p for p in config.precisions if p == "fp32" or bf16_supported(device)]
        for policy, precision in itertools.product(config.policies or trained_policy_ids(), precisions):
            if (policy, precision) in done:
                continue
            from rewardbench.bench.training import measure_policy

            echo(f"  training {policy} on {config.task} ({preset} preset, {config.steps} steps, {precision})")
            payload["training"].append(
                {
                    **measure_policy(
                        policy,
                        task_id=config.task,
                        preset=preset,
                        steps=config.steps,
                        precision=precision,
                        work_dir=out / ".work",
                        echo=echo,
                    ),
                    **_case_stamp(payload),
                }
            )
            save()
    markdown = render.write(payload, out / "BENCH.md")
    echo(f"wrote {markdown}")
    return markdown


def _case_stamp(payload: dict[str, Any]) -> dict[str, Any]:
    """When and from which commit a case was measured (a resumed bench mixes cases of several invocations)."""
    from datetime import datetime, timezone

    return {
        "git_commit": payload.get("git_commit"),
        "measured": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def render_only(out: str | Path) -> Path:
    """Re-render ``OUT/BENCH.md`` from ``OUT/bench.json``."""
    from rewardbench.bench import render

    path = Path(out) / "bench.json"
    if not path.is_file():
        raise ConfigError(f"{path} not found; run `rewardbench bench --out {out}` first")
    return render.write(load_bench(path), Path(out) / "BENCH.md")


def _precision(payload: dict[str, Any], echo: Callable[[str], None]) -> None:
    """fp32 and bf16 side by side: matmul limits, scoring speed and ranking agreement, log-prob error."""
    from rewardbench.bench import precision, scoring
    from rewardbench.runtime.models import default_device
    from rewardbench.runtime.precision import bf16_supported

    echo("  precision: fp32 and bf16 matmul limits, scoring, log-prob error")
    kernels = bf16_supported(default_device())
    limit = precision.limits()
    echo(
        f"    matmul limit fp32 {limit['fp32']['flops_per_s'] / 1e9:.0f}, bf16 "
        f"{limit['bf16']['flops_per_s'] / 1e9:.2g} GFLOP/s{'' if kernels else ' (no bf16 kernels here)'}"
    )
    texts = scoring.tweet_texts(256)
    payload["precision"] = {
        "bf16_kernels": kernels,
        "limits": limit,
        "scoring": precision.scoring(texts, limit, echo=echo),
        "logprob_error": precision.logprob_error(texts[:64]),
    }


def _scoring(
    config: BenchConfig, payload: dict[str, Any], out: Path, save: Callable[[], None], echo: Callable[[str], None]
) -> None:
    from rewardbench.bench import scoring
    from rewardbench.runtime import models

    texts = scoring.tweet_texts(max(config.batch_sizes + (64,)))
    n_docs = max(config.document_batch_sizes + (8,))
    builders: dict[str, Callable[[], Any]] = {
        "sentiment-minilm-tweets": lambda: scoring.sentiment_case(texts),
        "vader": lambda: scoring.vader_case(texts),
        "inverse-perplexity": lambda: scoring.perplexity_case(texts),
        "summary-fill-smollm2": lambda: scoring.summary_fill_causal_case(n_docs),
        "summary-fill-masked": lambda: scoring.summary_fill_masked_case(out / ".work", n_docs),
    }
    done = {r["case"] for r in payload["scoring"]}
    for name in config.cases:
        if name in done:
            continue
        echo(f"  scoring {name}")
        case = builders[name]()
        sizes = config.document_batch_sizes if case.unit == "document" else config.batch_sizes
        limit = payload["limit"]["flops_per_s"] if name != "vader" else None
        payload["scoring"].append(
            {**scoring.measure_case(case, sizes, limit, repeats=config.repeats, echo=echo), **_case_stamp(payload)}
        )
        save()
        models.clear_cache()


def _serving(config: BenchConfig, payload: BenchResult, save: Callable[[], None], echo: Callable[[str], None]) -> None:
    """The serving cases not yet measured (a resumed bench keeps those it found)."""
    from rewardbench.extras import require_extra

    require_extra("serve", "the serving part of rewardbench bench")
    from rewardbench.bench.serving import measure_serving

    payload.setdefault("serving", [])
    done = {case["reward"] for case in payload["serving"]}
    for reward_id in config.serving_rewards:
        if reward_id in done:
            continue
        echo(f"  serving {reward_id}: loopback load and bad requests")
        payload["serving"].append(measure_serving(reward_id))
        save()
