"""steering.metrics.degeneration: identical share, repetition, self-BLEU and the flag criteria."""

from __future__ import annotations

import pytest

from rewardbench.steering.metrics import degeneration


@pytest.mark.parametrize(
    "texts, expected",
    [(["a", "b", "c"], 0.0), (["a", "a", "b", "c"], 0.5), (["x x", " x x"], 1.0), ([], 0.0)],
)
def test_identical_share(texts, expected):
    assert degeneration.identical_share(texts) == expected


@pytest.mark.parametrize(
    "texts, n, expected",
    [
        (["a b a b"], 2, 1 / 3),  # bigrams ab, ba, ab: one of three repeats
        (["a b c d"], 2, 0.0),
        (["x x x x x"], 2, 3 / 4),
        (["one", "a b a b"], 2, (0.0 + 1 / 3) / 2),  # a text with no bigram counts 0
    ],
)
def test_repetition(texts, n, expected):
    assert degeneration.repetition(texts, n) == pytest.approx(expected)


def test_self_bleu_is_100_for_copies_and_low_for_different_texts():
    assert degeneration.self_bleu(["the same words here"] * 4) == pytest.approx(100.0)
    assert degeneration.self_bleu(["alpha beta gamma", "one two three", "red green blue"]) < 20
    assert degeneration.self_bleu(["only one"]) == 0.0


def _metrics(d2, identical=0.0, rep=0.0, bleu=10.0):
    return {"diversity": {"distinct_2": d2}, "degeneration": {"identical": identical, "rep_2": rep, "self_bleu": bleu}}


@pytest.mark.parametrize(
    "point, fired",
    [
        (_metrics(0.9), []),
        (_metrics(0.45), ["distinct_2"]),
        (_metrics(0.9, identical=0.3), ["identical"]),
        (_metrics(0.9, rep=0.26), ["rep_2"]),
        (_metrics(0.9, bleu=40.0), ["self_bleu"]),
        (_metrics(0.05, 0.9, 0.8, 95.0), ["distinct_2", "identical", "rep_2", "self_bleu"]),
    ],
)
def test_criteria_against_the_reference(point, fired):
    reference = _metrics(0.9)
    assert degeneration.criteria(point, reference) == [degeneration.THRESHOLDS[k] for k in fired]


def test_self_bleu_equals_sacrebleus_sentence_bleu_of_each_text_against_all_others():
    import random

    import sacrebleu

    rng = random.Random(0)
    words = ["doge", "is", "a", "scam", "moon", "to", "the", "!", "great", "coin,", "i", "think"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 9))) for _ in range(40)]
    texts += ["doge is a scam", "doge is a scam", "Doge, is a scam!!", ""]  # copies, punctuation, an empty text
    naive = [sacrebleu.sentence_bleu(t, texts[:i] + texts[i + 1 :]).score for i, t in enumerate(texts)]
    assert degeneration.self_bleu(texts) == pytest.approx(sum(naive) / len(naive), abs=1e-9)
    assert 0 < degeneration.self_bleu(texts) < 100
