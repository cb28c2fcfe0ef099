"""Evaluation points placed by KL: the probe's estimate, when it fires, and what the run file says about each point."""

from __future__ import annotations

import json

import pytest
import torch

from rewardbench.errors import ConfigError
from rewardbench.policies.training import policy_tokenizer
from rewardbench.rewards import REWARDS
from rewardbench.runtime import models
from rewardbench.steering.harness import run
from rewardbench.steering.kl_probe import PROBE_SEED, KLProbe
from rewardbench.steering.metrics.kl import kl_estimates
from rewardbench.steering.planning import RunConfig
from rewardbench.steering.sampling import sample, token_logprobs
from rewardbench.tasks import load_task
from rewardbench.tasks.spec import GenerationSpec
from tests.conftest import TINY_PROMPTS, contains_word_reward, write_tiny_task

GEN = GenerationSpec(max_new_tokens=5)


def _probe(tiny_policy: str, targets=(0.5, 1.0), **kw) -> KLProbe:
    return KLProbe(
        reference=models.load_causal_lm(tiny_policy),
        tokenizer=policy_tokenizer(tiny_policy),
        prompts=list(TINY_PROMPTS[:6]),
        gen=GEN,
        seed=3,
        targets=targets,
        **kw,
    )


def _perturbed(tiny_policy: str, scale: float):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_policy).eval()
    torch.manual_seed(11)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(scale * torch.randn_like(p))
    return model


def test_probe_estimate_is_k1_and_k3_of_its_samples_scored_by_both_models(tiny_policy):
    probe = _probe(tiny_policy, per_prompt=3)
    same = probe.estimate(probe.reference)  # the reference against itself
    assert abs(same["k1"]) < 1e-4 and abs(same["k3"]) < 1e-6
    moved = _perturbed(tiny_policy, 0.2)
    # the same samples, drawn again, and both sides scored in separate forward passes (not read off sampling)
    drawn = sample(moved, probe.tokenizer, probe.prompts, n=3, gen=GEN, seed=3 + PROBE_SEED)
    sampling = GEN.sampling()
    k1, k3 = kl_estimates(
        token_logprobs(moved, drawn, sampling=sampling), token_logprobs(probe.reference, drawn, sampling=sampling)
    )
    found = probe.estimate(moved)
    assert sum(k3) / len(k3) > 0.05
    assert found["k1"] == pytest.approx(sum(k1) / len(k1), abs=1e-4)
    assert found["k3"] == pytest.approx(sum(k3) / len(k3), abs=1e-4)


def test_probe_fires_once_per_target_naming_every_target_it_jumped_past(tiny_policy, monkeypatch, tmp_path):
    probe = _probe(tiny_policy, targets=(0.25, 0.5, 1.0, 2.0), trace_path=tmp_path / "probe.json")
    readings = iter([0.1, 0.3, 1.7, 0.2, 5.0])
    calls = []
    monkeypatch.setattr(probe, "estimate", lambda model: calls.append(1) or {"k1": -1.0, "k3": next(readings)})
    hits = [probe.check(step, None) for step in range(1, 7)]
    assert hits[0] is None and hits[3] is None
    assert hits[1] == {"reason": "kl-target", "targets": [0.25], "probe_k3": 0.3}
    assert hits[2]["targets"] == [0.5, 1.0]  # one evaluation serves both targets crossed in one step
    assert hits[4]["targets"] == [2.0]
    assert hits[5] is None and len(calls) == 5  # nothing pending: no probe is drawn at step 6
    assert [t["step"] for t in probe.trace] == [1, 2, 3, 4, 5]
    # kept after every probe: a resumed run's probe starts from it
    assert _probe(tiny_policy, trace_path=tmp_path / "probe.json").trace == probe.trace


def test_bad_probe_targets_are_refused_with_the_field_named(tmp_path, tiny_policy):
    path = write_tiny_task(tmp_path, tiny_policy, eval_kl=[0.5, 0.0])
    with pytest.raises(ConfigError, match=r"presets.cpu.eval_kl: KL targets must be distinct and above 0"):
        load_task(str(path))


def test_kl_targets_place_points_where_the_probe_first_reaches_them(tmp_path, tiny_policy):
    with REWARDS.override("test-contains-scam", lambda **_: contains_word_reward("scam")):
        task = write_tiny_task(
            tmp_path,
            tiny_policy,
            policies=["reference", "pfrl-ppo"],
            steps=8,
            eval_points=1,
            eval_kl=[0.02, 0.1, 0.5, 50.0],
            kl_probe_prompts=4,
            learning_rate=0.05,
        )
        outcomes = run(RunConfig(task=str(task), out=str(tmp_path / "out"), progress=False), echo=lambda _: None)
    docs = {o.spec.policy: json.loads(o.path.read_text()) for o in outcomes}
    ref, doc = docs["reference"], docs["pfrl-ppo"]
    assert ref["points"][0]["why"] == [{"reason": "untrained"}] and "kl_probe" not in ref
    probe = doc["kl_probe"]
    assert probe["targets"] == [0.02, 0.1, 0.5, 50.0] and probe["prompts"] == 4 and probe["split"] == "train"
    trace = {t["step"]: t["k3"] for t in probe["trace"]}
    assert sorted(trace) == list(range(1, 8))  # every step but the last, which is measured after training
    hit_steps = []
    for point in doc["points"][:-1]:
        (why,) = point["why"]
        assert why["reason"] == "kl-target" and why["probe_k3"] == trace[point["step"]]
        for target in why["targets"]:  # reached here, and at no earlier probed step
            assert trace[point["step"]] >= target
            assert all(k1 < target for step, k1 in trace.items() if step < point["step"])
        hit_steps.append(point["step"])
    assert hit_steps, f"the probe never reached 0.02 nats: {trace}"
    assert doc["points"][-1]["why"] == [{"reason": "end of training"}] and doc["points"][-1]["step"] == 8
    assert doc["config"]["eval_steps"] == [*hit_steps, 8]
    reached = {t for p in doc["points"] for w in p["why"] for t in w.get("targets", [])}
    assert 50.0 not in reached and len(trace) == 7  # a target not yet reached keeps the probe running
