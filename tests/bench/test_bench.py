"""The bench's instruments and report (the measurements themselves are never asserted against a time)."""

from __future__ import annotations

import json
import re

import pytest
import torch

from rewardbench.bench import BenchConfig, measure, render, render_only, training, validate
from rewardbench.cli import main
from rewardbench.errors import ConfigError


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_phase_clock_counts_nested_phases_once(monkeypatch):
    fake = FakeTime()
    monkeypatch.setattr(training.time, "perf_counter", fake)
    clock = training.PhaseClock()
    clock.enter("harness")
    fake.now = 1.0
    clock.enter("reward")  # the reward inside the adapter is reward time, not adapter time
    fake.now = 4.0
    clock.exit()
    fake.now = 4.5
    clock.exit()
    assert dict(clock.seconds) == {"reward": 3.0, "harness": 1.5}
    assert clock.first_start == 0.0 and not clock.busy


def test_count_flops_of_a_matmul():
    a, b = torch.randn(8, 16), torch.randn(16, 4)
    assert measure.count_flops(lambda: a @ b) == 2 * 8 * 16 * 4


def test_peak_memory_sees_an_allocation():
    with measure.PeakMemory() as peak:
        block = torch.ones(64 * 2**20 // 4)  # 64 MiB, touched
        block += 1
    assert peak.as_dict()["rss_added_mb"] >= 48
    del block


def test_time_call_repeats_and_reports_best_and_median():
    calls = []
    timing = measure.time_call(lambda: calls.append(1), repeats=4)
    assert timing.repeats >= 4 and len(calls) == timing.repeats + 1  # plus the warm-up
    assert 0 <= timing.best <= timing.median


def test_instrument_splits_a_training_step_into_phases(tiny_policy, tmp_path):
    from transformers import GenerationMixin

    from rewardbench.policies import POLICIES, RunContext
    from rewardbench.tasks import GenerationSpec, Preset
    from rewardbench.tasks.prompts import Prompt
    from tests.conftest import contains_word_reward

    clock = training.PhaseClock()
    reward = training.TimedReward(contains_word_reward(), clock)
    ctx = RunContext(
        model=tiny_policy,
        reward=reward,
        train_prompts=[Prompt("the cat"), Prompt("a dog")],
        generation=GenerationSpec(max_new_tokens=4),
        preset=Preset(policies=("trl-grpo",), batch_size=4, steps=2),  # a checkpoint after step 1, none after 2
        seed=0,
        work_dir=tmp_path,
        options={"num_generations": 2, "save_steps": 1},
        progress=False,
    )
    generate = GenerationMixin.__dict__["generate"]
    with training.instrument(clock):
        POLICIES.get("trl-grpo")(ctx).train()
    assert GenerationMixin.__dict__["generate"] is generate  # patches are undone
    for phase in ("generation", "reward", "optimisation", "checkpoint", "harness"):
        assert clock.seconds[phase] > 0, phase
    assert reward.texts == 8
    assert not clock.busy


def _payload() -> dict:
    batches = [
        {
            "batch": b,
            "items": 64,
            "seconds": 1.0,
            "median_seconds": 1.1,
            "repeats": 3,
            "items_per_s": 10.0 * b,
            "rss_peak_mb": 500.0,
            "rss_added_mb": 10.0,
            "cuda_peak_mb": None,
            "tokens_per_s": 300.0 * b,
            "flops_per_s": 1e9 * b,
            "limit_fraction": 0.4,
            "padding_overhead": 0.1,
            "speedup_vs_seed": b / 20,
        }
        for b in (1, 64)
    ]
    per_step = dict.fromkeys(training.PHASES, 0.5)
    return {
        "schema": "rewardbench.bench/1",
        "created": "2026-11-23T00:00:00+00:00",
        "git_commit": "abc",
        "machine": {"cpu": "Test CPU", "cores": 2, "torch_threads": 2, "gpu": None},
        "packages": {"torch": "2", "transformers": "5", "trl": "1.12"},
        "config": {},
        "limit": {"size": 2048, "dtype": "float32", "device": "cpu", "flops_per_s": 2e11},
        "scoring": [
            {
                "case": "sentiment-minilm-tweets",
                "unit": "text",
                "reward": "sentiment-minilm-tweets",
                "checkpoint": "embedded:x",
                "seed_label": "pipeline",
                "note": "",
                "batches": batches,
                "seed": {
                    "items": 64,
                    "seconds": 6.4,
                    "items_per_s": 10.0,
                    "rss_peak_mb": 400.0,
                    "rss_added_mb": 0.0,
                    "cuda_peak_mb": None,
                    "max_abs_diff": 1e-7,
                    "flops_per_s": 1e9,
                    "limit_fraction": 0.005,
                    "speedup_ceiling": 200.0,
                },
            }
        ],
        "training": [
            {
                "policy": "trl-ppo",
                "task": "dogecoin_negative",
                "preset": "cpu",
                "steps": 3,
                "batch_size": 8,
                "options": {},
                "samples": 24,
                "setup_seconds": 1.0,
                "loop_seconds": 10.5,
                "step_seconds": 3.5,
                "samples_per_s": 2.3,
                "per_step": per_step,
                "fractions": dict.fromkeys(training.PHASES, 1 / 7),
                "rss_peak_mb": 6000.0,
                "rss_added_mb": 5000.0,
                "cuda_peak_mb": None,
            }
        ],
    }


def test_report_shows_machine_targets_and_tables(tmp_path):
    text = render.render(_payload())
    assert "Test CPU" in text and "200 GFLOP/s" in text
    assert re.search(r"at batch 64: ≥5x the seed loop\s*\|\s*3.20x\s*\|\s*no\s*\|\s*200.0x", text)
    assert re.search(r"≥30% of the matmul limit\s*\|\s*40%\s*\|\s*yes", text)
    assert re.search(r"trl-ppo: harness overhead <10% of step time\s*\|\s*14%\s*\|\s*no", text)
    assert re.search(r"peak RSS ≤ 8 GiB\s*\|\s*5.9 GiB\s*\|\s*yes", text)
    assert "no batching can beat it by more than **200.0x**" in text
    (tmp_path / "bench.json").write_text(json.dumps(_payload()))
    assert render_only(tmp_path).read_text() == text


def test_render_only_needs_a_bench_file(tmp_path):
    with pytest.raises(ConfigError, match="run `rewardbench bench"):
        render_only(tmp_path)
    (tmp_path / "bench.json").write_text(json.dumps({"schema": "rewardbench.run/1"}))
    with pytest.raises(ConfigError, match="not a bench file"):
        render_only(tmp_path)


def test_bench_file_with_a_missing_or_mistyped_key_names_file_and_key(tmp_path):
    payload = _payload()
    del payload["training"][0]["step_seconds"]
    (tmp_path / "bench.json").write_text(json.dumps(payload))
    with pytest.raises(ConfigError, match=r"bench\.json: training\[0\]\.step_seconds: required key is missing"):
        render_only(tmp_path)
    payload = _payload()
    payload["scoring"][0]["batches"][1]["items_per_s"] = "fast"
    (tmp_path / "bench.json").write_text(json.dumps(payload))
    with pytest.raises(ConfigError, match=r"scoring\[0\]\.batches\[1\]\.items_per_s: expected a number, got 'fast'"):
        render_only(tmp_path)


def test_unknown_bench_case_suggests_the_right_one(capsys):
    with pytest.raises(ConfigError, match="did you mean 'vader'"):
        validate(BenchConfig(cases=("vadr",)))
    assert main(["bench", "--case", "vadr", "--out", "unused"]) == 2
    assert "did you mean 'vader'" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="batch sizes"):
        validate(BenchConfig(batch_sizes=(0,)))


def test_report_names_the_commits_of_a_resumed_bench():
    payload = _payload()
    payload["scoring"][0]["git_commit"] = "1111111111aaaa"
    payload["training"][0]["git_commit"] = "abc"
    assert "measured at commits `1111111111`, `abc`" in render.render(payload)
    payload["scoring"][0]["git_commit"] = "abc"
    assert "measured at commits" not in render.render(payload)


def test_committed_bench_re_renders_unchanged(tmp_path):
    from pathlib import Path

    committed = Path(__file__).resolve().parents[2] / "results" / "bench"
    (tmp_path / "bench.json").write_text((committed / "bench.json").read_text())
    assert render_only(tmp_path).read_text() == (committed / "BENCH.md").read_text()


def _precision_part(kernels):
    limit = {"size": 2048, "device": "cpu"}
    return {
        "bf16_kernels": kernels,
        "limits": {
            "fp32": {**limit, "dtype": "float32", "flops_per_s": 100e9},
            "bf16": {**limit, "dtype": "bfloat16", "flops_per_s": 0.3e9 if not kernels else 300e9},
        },
        "scoring": [
            {
                "reward": "inverse-perplexity",
                "batch": 64,
                "texts": 64,
                "fp32": {"texts_per_s": 10.0, "limit_fraction": 0.8},
                "bf16": {"texts_per_s": 2.0, "limit_fraction": 50.0 if not kernels else 0.6},
                "speedup": 0.2,
                "pairwise_agreement": 0.99,
                "agreement_texts": 256,
                "max_abs_diff": 1e-3,
            }
        ],
        "logprob_error": {
            "model": "embedded:x",
            "texts": 64,
            "tokens": 900,
            "mean_abs_token_diff": 0.05,
            "max_abs_token_diff": 0.4,
            "mean_abs_sequence_diff": 0.4,
            "max_abs_sequence_diff": 1.4,
        },
    }


def test_precision_section_says_when_the_cpu_has_no_bf16_kernels():
    # a bf16 matmul on a CPU without bf16 kernels runs at a fraction of a GFLOP/s: the limit must not read as 0,
    # a share of it (5000% here) is left out, and the bf16 training column says why it is empty
    payload = _payload()
    text = render.render({**payload, "precision": _precision_part(kernels=False)})
    assert "bf16 **0.3** GFLOP/s (bf16/fp32 = **0.003x**)" in text
    assert "has no bf16 kernels" in text and "5000%" not in text
    assert re.search(r"inverse-perplexity\s*\|\s*64\s*\|\s*10.0\s*\|\s*80%\s*\|\s*2.0\s*\|\s*–\s*\|", text)
    assert re.search(r"trl-ppo\s*\|\s*3.50\s*\|\s*-\s*\|.*not run: no bf16 kernels", text)
    text = render.render({**payload, "precision": _precision_part(kernels=True)})
    assert "no bf16 kernels" not in text
    assert re.search(r"inverse-perplexity\s*\|\s*64\s*\|\s*10.0\s*\|\s*80%\s*\|\s*2.0\s*\|\s*60%\s*\|", text)


def test_a_resumed_bench_that_skips_the_precision_part_keeps_an_older_one(tmp_path):
    # a precision part from before bf16 kernel support was recorded is measured again only by a run of that part;
    # `--resume --part scoring` must not throw it away
    from rewardbench.bench import machine, run_bench

    old = _precision_part(kernels=True)
    del old["bf16_kernels"]
    payload = {**_payload(), "machine": machine(), "precision": old}
    (tmp_path / "bench.json").write_text(json.dumps(payload))
    run_bench(BenchConfig(out=str(tmp_path), parts=("scoring",), cases=(), resume=True), echo=lambda line: None)
    assert json.loads((tmp_path / "bench.json").read_text())["precision"] == old
    assert "## Precision: fp32 and bf16 side by side" in (tmp_path / "BENCH.md").read_text()
