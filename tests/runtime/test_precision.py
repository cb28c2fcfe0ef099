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


def test_auto_keeps_fp32_where_bf16_is_slower_and_says_why(rates):
    assert precision.resolve("auto", "cpu") == "fp32"
    assert "bf16 matmul 150 vs fp32 300" in precision.why("fp32", "auto")


def test_auto_picks_bf16_where_it_is_measured_faster(rates):
    table, _ = rates
    table[torch.bfloat16] = 780.0
    assert precision.resolve("auto", "cpu") == "bf16"


def test_auto_needs_the_margin_not_just_a_win(rates):
    table, _ = rates
    table[torch.bfloat16] = 1.2 * table[torch.float32]  # faster, but under MIN_SPEEDUP
    assert precision.resolve("auto", "cpu") == "fp32"


def test_the_probe_runs_once_per_machine_and_is_cached_on_disk(rates, tmp_path):
    _, calls = rates
    precision.resolve("auto", "cpu")
    precision.resolve("auto", "cpu")
    assert calls == [torch.float32, torch.bfloat16]
    (entry,) = json.loads((tmp_path / "precision.json").read_text()).values()
    assert entry == {"bf16_supported": True, "fp32_gflops": 300.0, "bf16_gflops": 150.0}


def test_explicit_choices_and_errors(monkeypatch):
    assert precision.resolve("fp32", "cpu") == "fp32"
    monkeypatch.setattr(precision, "bf16_supported", lambda device: False)
    with pytest.raises(ConfigError, match="no bf16 kernels; use --precision fp32 or auto"):
        precision.resolve("bf16", "cpu")
    with pytest.raises(ConfigError, match="precision must be one of auto, fp32, bf16"):
        precision.resolve("half", "cpu")
    with pytest.raises(ConfigError, match="dtype must be 'float32' or 'bfloat16'"):
        precision.torch_dtype("float16")


@pytest.mark.skipif(not precision.bf16_supported("cpu"), reason="this CPU has no bf16 kernels")
def test_autocast_runs_matmuls_in_bf16_only_when_asked():
    layer = torch.nn.Linear(8, 8)
    x = torch.randn(2, 8)
    with precision.autocast("bf16", "cpu"):
        assert layer(x).dtype == torch.bfloat16
    with precision.autocast("fp32", "cpu"):
        assert layer(x).dtype == torch.float32
