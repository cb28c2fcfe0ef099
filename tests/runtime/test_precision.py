"""Precision: ``auto`` picks bf16 only where it was measured faster; asking for bf16 without kernels is an error."""

from __future__ import annotations

import json

import pytest
import torch

from rewardbench.errors import ConfigError
from rewardbench.runtime import precision


@pytest.fixture()
def rates(monkeypatch, tmp_path):
    """Stand-in matmul rates (GFLOP/s by dtype) and a fresh cache home; returns the rates and the calls made."""
    monkeypatch.setenv("REWARDBENCH_HOME", str(tmp_path))
    monkeypatch.setattr(precision, "bf16_supported", lambda device: True)
    table = {torch.float32: 300.0, torch.bfloat16: 150.0}
    calls = []

    def rate(dtype, device="cpu", size=1024, repeats=5):
        calls.append(dtype)
        return table[dtype]

    monkeypatch.setattr(precision, "matmul_rate", rate)
    return table, calls


@pytest.mark.parametrize("bf16_rate", [150.0, 780.0], ids=["bf16-slower", "bf16-faster"])
def test_auto_trains_in_fp32_on_every_cpu_whatever_its_bf16_units(rates, bf16_rate):
    # both answers the probe can give: with bf16 kernels that are slower and ones that are 2.6x faster
    table, calls = rates
    table[torch.bfloat16] = bf16_rate
    assert precision.resolve("auto", "cpu") == "fp32"
    assert precision.why("fp32", "auto").startswith("fp32 (auto: a CPU trains in fp32")
    assert calls == [], "auto must not depend on a measurement on a CPU"


def test_auto_is_bf16_on_a_cuda_gpu_with_bf16(monkeypatch):
    monkeypatch.setattr(precision, "bf16_supported", lambda device: getattr(device, "type", device) == "cuda")
    assert precision.resolve("auto", "cuda") == "bf16"
    monkeypatch.setattr(precision, "bf16_supported", lambda device: False)
    assert precision.resolve("auto", "cuda") == "fp32"


def test_the_probe_runs_once_per_machine_and_is_cached_on_disk(rates, tmp_path):
    _, calls = rates
    precision.cpu_probe()
    precision.cpu_probe()
    assert calls == [torch.float32, torch.bfloat16]
    (entry,) = json.loads((tmp_path / "precision.json").read_text()).values()
    assert entry == {"bf16_supported": True, "fp32_gflops": 300.0, "bf16_gflops": 150.0}


def test_trained_in_reads_the_run_files_precision_line():
    assert precision.trained_in("bf16 (asked for)") == "bf16"
    assert precision.trained_in(precision.why("fp32", "auto")) == "fp32"
    assert precision.trained_in(None) == "fp32"  # older run files: fp32


def test_fp32_logits_give_fp32_log_probs_under_bf16_autocast(tiny_policy):
    """The log-probs a bf16 trainer's loss uses, against an fp32 forward of the same model: the head in fp32 leaves
    only the blocks' bf16 rounding (stated bound 0.02 nats per token on this tiny model), where a bf16 head adds its
    own (bf16 keeps 8 bits of a logit)."""
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_policy).eval()
    ids = torch.tensor([[2, 5, 6, 7, 8, 9, 10, 11]])

    def logprobs():
        logits = model(input_ids=ids).logits[:, :-1]
        return logits.dtype, torch.log_softmax(logits.float(), -1).gather(-1, ids[:, 1:, None])[..., 0]

    _, exact = logprobs()
    with precision.autocast("bf16", "cpu"):
        plain_dtype, plain = logprobs()
        precision.fp32_logits(model)
        fp32_dtype, upcast = logprobs()
    assert plain_dtype == torch.bfloat16 and fp32_dtype == torch.float32
    assert (upcast - exact).abs().max() < 0.02
    assert (upcast - exact).abs().mean() <= (plain - exact).abs().mean()


def test_explicit_choices_and_errors(monkeypatch):
    assert precision.resolve("fp32", "cpu") == "fp32"
    monkeypatch.setattr(precision, "bf16_supported", lambda device: False)
    with pytest.raises(ConfigError, match="no bf16 kernels; use --precision fp32 or auto"):
        precision.resolve("bf16", "cpu")
    with pytest.raises(ConfigError, match="precision must be one of auto, fp32, bf16"):
        precision.resolve("half", "cpu")
    with pytest.raises(ConfigError, match="dtype must be 'float32' or 'bfloat16'"):
        precision.torch_dtype("float16")


def test_autocast_runs_matmuls_in_bf16_only_when_asked():
    layer = torch.nn.Linear(8, 8)
    x = torch.randn(2, 8)
    with precision.autocast("bf16", "cpu"):
        assert layer(x).dtype == torch.bfloat16
    with precision.autocast("fp32", "cpu"):
        assert layer(x).dtype == torch.float32
