"""Degeneration: how far the completions collapse onto each other or onto loops, beyond distinct-n.

- ``identical``: share of completions that are an exact copy of another completion (any prompt);
- ``rep_2``: mean over completions of the share of word bigrams that repeat an earlier bigram of the same
  completion (Welleck et al. 2019's seq-rep-n, with n = 2 for completions of a few words);
- ``self_bleu``: mean BLEU of each completion against all the others (Zhu et al. 2018, Texygen; sacrebleu).

:func:`criteria` says which of them fell past a stated threshold against the reference policy's completions on the
same prompts; the report flags such a run as degenerate and shows the thresholds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from rewardbench.steering.metrics.base import Column, EvalContext, Metric, Run, mean_column

#: A run is degenerate when any of these holds against the reference (same seed, same held-out prompts).
THRESHOLDS = {
    "distinct_2": "distinct-2 at most half the reference's",
    "identical": "identical share at least 0.25 above the reference's",
    "rep_2": "within-completion bigram repetition at least 0.25 above the reference's",
    "self_bleu": "self-BLEU at least 25 points above the reference's",
}


def identical_share(texts: Sequence[str]) -> float:
    """Share of texts equal to another text of the list (0 when all differ, 1 when all are the same)."""
    if not texts:
        return 0.0
    counts = Counter(t.strip() for t in texts)
    return sum(c for c in counts.values() if c > 1) / len(texts)


def repetition(texts: Sequence[str], n: int = 2) -> float:
    """Mean over texts of 1 - unique word n-grams / word n-grams (texts with no n-gram count 0)."""
    shares = []
    for text in texts:
        words = text.split()
        grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
        shares.append(1 - len(set(grams)) / len(grams) if grams else 0.0)
    return sum(shares) / len(shares) if shares else 0.0


def self_bleu(texts: Sequence[str]) -> float:
    """Mean sentence BLEU (0-100, sacrebleu's ``sentence_bleu`` defaults) of each text against every other text as
    its references.

    Equal to calling ``sacrebleu.sentence_bleu(text, others)`` for each text, which tokenizes and counts every other
    text again for each text (quadratic in tokenizations: minutes per evaluation at the gpu preset's thousands of
    completions). Here each text is tokenized and counted once, with sacrebleu's own tokenizer, n-gram counter and
    score; a text's clipping count for an n-gram is the largest count among the *other* texts, read from each
    n-gram's two largest counts.
    """
    from sacrebleu.metrics.bleu import BLEU
    from sacrebleu.metrics.helpers import extract_all_word_ngrams

    if len(texts) < 2:
        return 0.0
    bleu = BLEU(smooth_method="exp", effective_order=True)  # what sentence_bleu builds
    order = bleu.max_ngram_order
    counted = [extract_all_word_ngrams(bleu._preprocess_segment(t), 1, order) for t in texts]
    top: dict[tuple[str, ...], list[int]] = {}  # n-gram -> [largest count, its text, second largest count]
    for i, (grams, _) in enumerate(counted):
        for gram, count in grams.items():
            best = top.setdefault(gram, [0, -1, 0])
            if count > best[0]:
                best[:] = [count, i, best[0]]
            elif count > best[2]:
                best[2] = count
    lengths = Counter(length for _, length in counted)  # the other texts' lengths: these, less the text's own one
    scores = []
    for i, (grams, length) in enumerate(counted):
        correct, total = [0] * order, [0] * order
        for gram, count in grams.items():
            best = top[gram]
            others = best[2] if best[1] == i else best[0]
            total[len(gram) - 1] += count
            correct[len(gram) - 1] += min(count, others)
        others_lengths = [n for n, times in lengths.items() if times > (n == length)]
        ref_len = bleu._get_closest_ref_len(length, others_lengths)
        scores.append(bleu._compute_score_from_stats([length, ref_len, *correct, *total]).score)
    return sum(scores) / len(scores)


def compute(ctx: EvalContext) -> dict[str, Any]:
    texts = [s.text for s in ctx.samples]
    return {
        "degeneration": {
            "identical": identical_share(texts),
            "rep_2": repetition(texts, 2),
            "self_bleu": self_bleu(texts),
        }
    }


def criteria(point: dict[str, Any], reference: dict[str, Any]) -> list[str]:
    """Which :data:`THRESHOLDS` the point's metrics cross against the reference's (empty: not degenerate)."""
    fired = []
    d, r = point.get("degeneration"), reference.get("degeneration")
    if point["diversity"]["distinct_2"] <= 0.5 * reference["diversity"]["distinct_2"]:
        fired.append(THRESHOLDS["distinct_2"])
    if d and r:
        if d["identical"] >= r["identical"] + 0.25:
            fired.append(THRESHOLDS["identical"])
        if d["rep_2"] >= r["rep_2"] + 0.25:
            fired.append(THRESHOLDS["rep_2"])
        if d["self_bleu"] >= r["self_bleu"] + 25:
            fired.append(THRESHOLDS["self_bleu"])
    return fired


def columns(runs: list[Run]) -> list[Column]:
    if not any("degeneration" in r["metrics"] for r in runs):
        return []
    get = lambda key: lambda r: (r["metrics"].get("degeneration") or {}).get(key)  # noqa: E731
    return [
        mean_column("identical", get("identical"), higher_is_better=False, digits=2),
        mean_column("rep-2", get("rep_2"), higher_is_better=False, digits=2),
        mean_column("self-BLEU", get("self_bleu"), higher_is_better=False, digits=1),
    ]


METRIC = Metric("degeneration", compute, columns)
