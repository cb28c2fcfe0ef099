"""steering.metrics.diversity: distinct-n and the block."""

from __future__ import annotations

import pytest

from rewardbench.steering.metrics import diversity
from tests.steering.metrics.helpers import context, run


@pytest.mark.parametrize(
    "texts, n, expected",
    [
        (["a b c", "a b d"], 1, 4 / 6),
        (["a b c", "a b d"], 2, 3 / 4),
        (["x x x x"], 1, 1 / 4),
        (["x x x x"], 2, 1 / 3),
        (["one"], 2, 0.0),  # no bigrams at all
        ([], 1, 0.0),
    ],
)
def test_distinct_n_hand_counted(texts, n, expected):
    assert diversity.distinct_n(texts, n) == pytest.approx(expected)


def test_block_and_columns():
    ctx = context(["p"], [(0, "a b", 3), (0, "a c", 1)], [0.0, 0.0])
    block = diversity.compute(ctx)["diversity"]
    assert block == {"distinct_1": 3 / 4, "distinct_2": 1.0, "mean_tokens": 2.0}
    cols = diversity.columns([])
    r = run("reference", 0, train=[0.0])
    r["metrics"]["diversity"] = block
    assert [c.title for c in cols] == ["distinct-1 ↑", "distinct-2 ↑"]
    assert [c.cell([r], []) for c in cols] == ["0.75", "1.00"]
