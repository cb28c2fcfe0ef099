"""Batched scoring equals one-text-at-a-time scoring, whatever the length buckets (speed never changes results)."""

from __future__ import annotations

import pytest

from rewardbench.rewards import load_reward
from rewardbench.rewards.summary_fill import SummaryFillReward
from rewardbench.runtime.batching import default_max_tokens, length_groups, map_groups

TEXTS = [
    "great",
    "i think dogecoin is a scam and a hoax and i hate it so much",
    "the movie was fun",
    "cats enjoy sleeping in warm places today and the weather is sunny",
    "",
    "awful",
    "this movie was awful",
    "the parser reads sentences from the treebank and assigns each word a head " * 3,
]
DOCS = [
    "The new parser reads sentences from the treebank and assigns each word a syntactic head . Trained on the "
    "treebank , the parser reaches high accuracy on sentences from news text .",
    "Cats enjoy sleeping in warm places , and dogs enjoy long walks in the park with their owners every day .",
    "The movie was long , the actors were wooden and the music was loud ; critics called the film boring .",
]
SUMMARIES = ["a treebank parser assigns heads", "pets like warmth and walks", "a boring film"]


@pytest.mark.parametrize(
    "lengths,max_batch,max_tokens",
    [([5, 1, 9, 3, 3, 7, 2], 3, 12), ([4] * 10, 4, 100), ([50, 2, 2], 8, 16), ([], 4, 8), ([3, 1, 2], 1, 1)],
)
def test_length_groups_cover_every_item_once_within_the_budgets(lengths, max_batch, max_tokens):
    groups = length_groups(lengths, max_batch=max_batch, max_tokens=max_tokens)
    assert sorted(i for g in groups for i in g) == list(range(len(lengths)))
    for group in groups:
        assert len(group) <= max_batch
        padded = len(group) * max(lengths[i] for i in group)
        assert padded <= max_tokens or len(group) == 1  # an item over the budget goes alone
        assert [lengths[i] for i in group] == sorted(lengths[i] for i in group)


def test_map_groups_returns_results_in_the_original_order():
    items = ["ccc", "a", "bb", "dddd"]
    assert map_groups(
        items, [len(s) for s in items], lambda batch: [s.upper() for s in batch], max_batch=2, max_tokens=4
    ) == ["CCC", "A", "BB", "DDDD"]


def test_bad_budgets_are_refused():
    with pytest.raises(ValueError, match="max_batch"):
        length_groups([1, 2], max_batch=0, max_tokens=8)


def test_default_budget_depends_on_the_device():
    import torch

    assert default_max_tokens(torch.device("cpu")) < default_max_tokens(torch.device("cuda"))


def _per_text(reward, prompts, completions, **columns):
    return [
        reward(prompts=[p], completions=[c], **{k: [v[i]] for k, v in columns.items()})[0]
        for i, (p, c) in enumerate(zip(prompts, completions))
    ]


def _assert_batched_equals_per_text(reward, prompts, completions, **columns):
    batched = reward(prompts=prompts, completions=completions, **columns)
    assert batched == pytest.approx(_per_text(reward, prompts, completions, **columns), abs=1e-4)


@pytest.mark.parametrize("budget", [None, 24])  # 24 tokens forces many small buckets
@pytest.mark.parametrize(
    "fixture,options",
    [
        ("tiny_bert_3class", {"target": "negative"}),
        (
            "tiny_roberta_cardiffnlp",
            {
                "target": "negative",
                "mode": "margin",
                "label_map": {"LABEL_0": "negative", "LABEL_1": "neutral", "LABEL_2": "positive"},
            },
        ),
        ("tiny_gpt2", {}),
        ("tiny_llama", {"mode": "loglik"}),
    ],
)
def test_batched_scores_equal_per_text_scores(fixture, options, budget, request):
    reward = load_reward(request.getfixturevalue(fixture), max_batch_tokens=budget, **options)
    _assert_batched_equals_per_text(reward, ["i think dogecoin is"] * len(TEXTS), TEXTS)


@pytest.mark.parametrize("budget", [None, 48])
@pytest.mark.parametrize("filler,fixture", [("masked", "tiny_bert_mlm"), ("causal", "tiny_llama")])
def test_summary_fill_batched_equals_per_document(filler, fixture, budget, request):
    reward = SummaryFillReward(
        request.getfixturevalue(fixture), filler=filler, n_masks=4, max_batch_tokens=budget, max_document_words=16
    )  # the tiny models have 64 positions
    _assert_batched_equals_per_text(reward, [""] * 3, SUMMARIES, documents=DOCS)


@pytest.mark.slow
@pytest.mark.parametrize(
    "rid,options",
    [
        ("sentiment-minilm-tweets", {"target": "negative"}),
        ("inverse-perplexity", {}),
        ("control-code", {}),
        ("negative-and-fluent", {}),
    ],
)
def test_embedded_rewards_batched_equal_per_text(rid, options):
    from rewardbench.zoo.data import tweets

    texts = [t.text for t in tweets("heldout")[:24]]
    prompts = ["[negative] " if rid == "control-code" else ""] * len(texts)
    _assert_batched_equals_per_text(load_reward(rid, **options), prompts, texts)


@pytest.mark.slow
def test_embedded_summary_fill_batched_equals_per_document():
    from rewardbench.zoo.data import aclsum_documents

    docs = aclsum_documents("test")[:4]
    reward = load_reward("summary-fill-smollm2", max_document_words=80)
    _assert_batched_equals_per_text(
        reward, [""] * 4, [d.summaries["approach"] for d in docs], documents=[d.text for d in docs]
    )
