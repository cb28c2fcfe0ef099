"""steering.metrics.fluency: corpus and per-sequence perplexity, and which LM judges."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from rewardbench.steering.metrics import fluency


@pytest.mark.parametrize(
    "logprobs, corpus, per_seq",
    [
        ([[math.log(0.5)] * 3], 2.0, [2.0]),
        ([[math.log(0.5)], [math.log(0.25)] * 3], math.exp(-(math.log(0.5) + 3 * math.log(0.25)) / 4), [2.0, 4.0]),
        ([[], [math.log(0.1)]], 10.0, [10.0]),  # an empty completion adds no tokens
    ],
)
def test_perplexity_hand_computed(logprobs, corpus, per_seq):
    got, seqs = fluency.perplexity(logprobs)
    assert got == pytest.approx(corpus) and seqs == pytest.approx(per_seq)


def test_perplexity_of_no_tokens_is_nan():
    got, seqs = fluency.perplexity([[], []])
    assert math.isnan(got) and seqs == []


def test_judge_lm_is_independent_when_the_task_names_one():
    task = SimpleNamespace(judge_lm={"hub": "gpt2"}, model={"hub": "lvwerra/gpt2-imdb", "embedded": "embedded:x"})
    assert fluency.judge_lm(task, "hub") == ("gpt2", "independent LM")
    spec, note = fluency.judge_lm(task, "embedded")
    assert spec == "embedded:x" and "reference policy model itself" in note
