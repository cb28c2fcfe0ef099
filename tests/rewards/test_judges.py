"""The offline judge rewards: TextBlob, AFINN and the LM judge, on hand-checked texts."""

from __future__ import annotations

import pytest

from rewardbench.errors import ConfigError
from rewardbench.rewards import load_reward


@pytest.mark.parametrize(
    "rid, options, text, expected",
    [
        ("textblob", {}, "a wonderful day", 1.0),  # pattern lexicon: "wonderful" polarity 1.0
        ("textblob", {"target": "negative"}, "a wonderful day", -1.0),
        ("textblob", {}, "a day", 0.0),
        ("afinn", {}, "good and bad", 0.0),  # +3 - 3
        ("afinn", {"target": "negative"}, "a scam", 2.0),  # scam is -2
        ("afinn", {"mode": "mean"}, "good good bad day", (3 + 3 - 3) / 4),
    ],
)
def test_lexicon_scores_by_hand(rid, options, text, expected):
    assert load_reward(rid, text="completion", **options)(completions=[text]) == [pytest.approx(expected)]


def test_lexicons_read_prompt_and_completion_as_readable_text():
    r = load_reward("afinn")
    assert r(prompts=["so good"], completions=[" day"]) == r(completions=["so good day"])


@pytest.mark.parametrize("rid", ["textblob", "afinn", "lm-judge"])
def test_bad_options_name_the_reward(rid):
    with pytest.raises(ConfigError, match=f"{rid} target must be"):
        load_reward(rid, target="neutral")


def test_lm_judge_is_the_log_odds_of_the_two_words(tiny_llama):
    pos = load_reward("lm-judge", model=tiny_llama, target="positive")
    neg = load_reward("lm-judge", model=tiny_llama, target="negative")
    texts = ["the movie was great", "the movie was awful"]
    assert pos(completions=texts) == pytest.approx([-s for s in neg(completions=texts)])


def test_lm_judge_chat_frame_needs_a_chat_template(tiny_llama):
    with pytest.raises(ConfigError, match="no chat template; use frame='plain'"):
        load_reward("lm-judge", model=tiny_llama, frame="chat")(completions=["fine"])
    with pytest.raises(ConfigError, match="frame must be one of"):
        load_reward("lm-judge", frame="dialogue")
