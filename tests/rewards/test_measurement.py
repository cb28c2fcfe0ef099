"""Every registered reward loads as a Hugging Face ``evaluate`` measurement from a local module and scores alike."""

from __future__ import annotations

import pytest

import rewardbench
from rewardbench.errors import UnknownIdError
from rewardbench.rewards import REWARDS, load_reward
from tests.rewards.test_conformance import _sample, _tiny_options

evaluate = pytest.importorskip("evaluate")


@pytest.mark.parametrize("rid", REWARDS.ids())
def test_evaluate_load_of_the_local_module_returns_the_rewards_scores(rid, request):
    options = _tiny_options(request)[rid]
    if options is None:
        pytest.skip(f"{rid} is built from embedded models only")
    sample = {"prompts": ["i think dogecoin is", "The movie was"], "completions": [" a scam.", " wonderful."]}
    sample.update({k: v[:2] for k, v in _sample(rid).items()})
    measurement = evaluate.load(rewardbench.evaluate_module(rid), options=options)
    expected = load_reward(rid, **options)(**sample)
    assert measurement.compute(**sample)["scores"] == pytest.approx(expected, abs=1e-6)
    assert rid in measurement.description


def test_documents_go_through_as_a_reward_column(request):
    options = _tiny_options(request)["summary-fill"]
    measurement = evaluate.load(rewardbench.evaluate_module("summary-fill"), options=options)
    docs = ["Cats enjoy sleeping in warm places near windows during long afternoons ."]
    got = measurement.compute(completions=["cats sleep"], prompts=["ignored prompt"], documents=docs)["scores"]
    reward = load_reward("summary-fill", **options)
    assert got == pytest.approx(reward(prompts=["ignored prompt"], completions=["cats sleep"], documents=docs))


def test_an_unknown_reward_id_names_close_matches():
    with pytest.raises(UnknownIdError, match="vader"):
        rewardbench.evaluate_module("vadr")
