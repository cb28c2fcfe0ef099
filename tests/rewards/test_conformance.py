"""`check_reward` over every registered reward: hub presets on tiny local stand-ins, embedded ones for real (slow)."""

from __future__ import annotations

import pytest

from rewardbench.rewards import REWARDS, load_reward
from rewardbench.testing import ConformanceError, check_reward

CONTROL_PROMPTS = ["[negative] i think dogecoin is", "[positive] The movie was", "[neutral] ", "[negative] Today"]
DOCS = [
    "The parser reads sentences from the treebank and assigns each word a syntactic head .",
    "Cats enjoy sleeping in warm places near windows during long afternoons .",
    "The translation system handles terminology with analogy solvers for medical terms .",
    "Weather models predict sunny days with rising temperatures across the coast .",
]
SUMMARIES = ["a parser assigns heads", "cats sleep in the sun", "", "sunny weather ahead"]


def _tiny_options(request: pytest.FixtureRequest) -> dict[str, dict]:
    """For each registered reward: options that swap its checkpoint for a tiny local model of the same kind."""
    f = request.getfixturevalue
    return {
        "sentiment-cardiffnlp": {"model": f("tiny_roberta_cardiffnlp")},
        "sentiment-sst2": {"model": f("tiny_distilbert_binary")},
        "sentiment-imdb": {"model": f("tiny_distilbert_binary"), "mode": "logit"},
        "sentiment-minilm-tweets": {"model": f("tiny_bert_3class"), "target": "negative"},
        "vader": {},
        "textblob": {"target": "negative"},
        "afinn": {"mode": "mean"},
        "lm-judge": {"model": f("tiny_llama"), "target": "negative"},
        "inverse-perplexity": {"model": f("tiny_llama")},
        "inverse-perplexity-gpt2": {"model": f("tiny_gpt2")},
        "summary-fill": {"model": f("tiny_bert_mlm")},
        "summary-fill-smollm2": {"model": f("tiny_llama")},
        "control-code": {"base": load_reward("sentiment-sst2", model=f("tiny_distilbert_binary"), mode="logit")},
        "control-code-imdb": {"model": f("tiny_distilbert_binary")},
        "negative-and-fluent": None,  # composed of embedded models only: covered by the slow test below
    }


def _sample(rid: str) -> dict:
    if rid.startswith("control-code"):
        return {"prompts": CONTROL_PROMPTS}
    if rid.startswith("summary-fill"):
        return {"prompts": DOCS, "completions": SUMMARIES}
    return {}


def test_every_registered_reward_has_a_tiny_stand_in(request):
    assert set(_tiny_options(request)) == set(REWARDS.ids())


@pytest.mark.parametrize("rid", REWARDS.ids())
def test_conformance_on_tiny_models(rid, request):
    options = _tiny_options(request)[rid]
    if options is None:
        pytest.skip(f"{rid} is built from embedded models only (see the slow test)")
    check_reward(load_reward(rid, **options), **_sample(rid))


def test_checker_catches_a_non_deterministic_reward():
    import random

    from rewardbench.rewards.base import Reward, RewardCard

    class Noisy(Reward):
        def __init__(self):
            super().__init__(RewardCard(id="noisy", version=1, measures="noise", range="[0, 1]"))

        def _score(self, prompts, completions, **_):
            return [random.random() for _ in completions]

    with pytest.raises(ConformanceError, match="not deterministic"):
        check_reward(Noisy())


OFFLINE = [rid for rid in REWARDS.ids() if load_reward(rid).card.offline]


@pytest.mark.slow
@pytest.mark.parametrize("rid", OFFLINE)
def test_conformance_on_embedded_models(rid):
    reward = load_reward(rid)
    sample = _sample(rid)
    if rid.startswith("summary-fill"):  # the causal filler is costly on CPU: two documents are enough here
        sample = {"prompts": DOCS[1:3], "completions": SUMMARIES[1:3]}
    check_reward(reward, **sample)


@pytest.mark.slow
@pytest.mark.parametrize("rid", OFFLINE)
def test_probes_are_ordered_on_embedded_models(rid):
    reward = load_reward(rid)
    assert reward.card.probes, f"{rid} has no probe pairs on its card"
    for probe in reward.card.probes:
        better, worse = reward(prompts=[probe.prompt] * 2, completions=[probe.better, probe.worse])
        assert better > worse, f"{rid}: {probe.better!r} ({better:.3f}) should beat {probe.worse!r} ({worse:.3f})"


def test_the_checker_fails_a_reward_that_glues_a_chat_prompt_to_its_reply(monkeypatch):
    from rewardbench.rewards import base

    monkeypatch.setattr(
        base, "prompt_text", lambda item: item if isinstance(item, str) else "".join(m["content"] for m in item)
    )
    with pytest.raises(ConformanceError, match="chat conversation"):
        check_reward(load_reward("vader"))
