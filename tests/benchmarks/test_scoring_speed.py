"""pytest-benchmark timings of the scoring paths on the embedded zoo: they measure, they never assert a time.

``make bench`` runs them with timing on (``--benchmark-enable``); ``make test`` runs each once, as a check that the
paths work (``--benchmark-disable`` in the pytest options).
"""

from __future__ import annotations

import math

import pytest

from rewardbench.rewards import load_reward

pytestmark = pytest.mark.slow  # the embedded models
ROUNDS = 5


@pytest.fixture(scope="module")
def tweets64() -> list[str]:
    from rewardbench.bench.scoring import tweet_texts

    return tweet_texts(64)


def _bench(benchmark, fn):
    fn()  # load the model outside the timing
    return benchmark.pedantic(fn, rounds=ROUNDS, iterations=1)


@pytest.mark.parametrize(
    "rid,options",
    [
        ("sentiment-minilm-tweets", {"target": "negative"}),
        ("vader", {}),
        ("inverse-perplexity", {}),
        ("negative-and-fluent", {}),
    ],
)
def test_reward_at_batch_64(benchmark, rid, options, tweets64):
    reward = load_reward(rid, **options)
    scores = _bench(benchmark, lambda: reward(prompts=[""] * 64, completions=tweets64))
    benchmark.extra_info["texts"] = 64
    assert len(scores) == 64 and all(math.isfinite(s) for s in scores)


def test_sentiment_pipeline_loop_notebook_way(benchmark, tweets64):
    from rewardbench.bench.scoring import sentiment_case

    case = sentiment_case(tweets64)
    scores = _bench(benchmark, lambda: case.notebook_way(case.items))
    benchmark.extra_info["texts"] = 64
    assert scores == pytest.approx(case.call(case.items), abs=1e-4)


def test_summary_fill_8_documents_8_masks(benchmark):
    from rewardbench.bench.scoring import documents

    docs = documents(8)
    reward = load_reward("summary-fill-smollm2", n_masks=8, max_document_words=120)
    scores = _bench(
        benchmark,
        lambda: reward(prompts=[""] * 8, completions=[s for _, s, _ in docs], documents=[d for _, _, d in docs]),
    )
    benchmark.extra_info["documents"] = 8
    assert len(scores) == 8 and all(math.isfinite(s) for s in scores)


def test_matmul_limit(benchmark):
    import torch

    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    benchmark.extra_info["flops"] = 2 * 2048**3
    out = benchmark.pedantic(lambda: a @ b, rounds=ROUNDS, iterations=1)
    assert out.shape == (2048, 2048)
