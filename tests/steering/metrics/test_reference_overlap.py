"""steering.metrics.reference_overlap: ROUGE-L of each completion against its prompt's reference summary."""

from __future__ import annotations

import pytest

from rewardbench.steering.metrics import reference_overlap
from rewardbench.tasks.prompts import Prompt
from tests.steering.metrics.helpers import context, run


def _ctx(completions, references):
    ctx = context(["p0", "p1"], completions, [0.0] * len(completions))
    ctx.heldout = [Prompt(f"p{i}", {"documents": "doc", "references": r}) for i, r in enumerate(references)]
    return ctx


def test_hand_counted_rouge_l_per_completion():
    # "the cat sat" vs "the cat sat on the mat": LCS 3, P 3/3, R 3/6 -> F 2/3.
    # "mat the on" vs "the cat sat on the mat": LCS 2 ("the ... on" or "on ... mat"), P 2/3, R 2/6 -> F 4/9.
    # "dogs bark" vs "birds sing": nothing shared -> 0.
    ctx = _ctx(
        [(0, "the cat sat", 3), (0, "mat the on", 3), (1, "dogs bark", 2)],
        ["the cat sat on the mat", "birds sing"],
    )
    block = reference_overlap.compute(ctx)["reference_overlap"]
    assert block["values"] == pytest.approx([2 / 3, 4 / 9, 0.0])
    assert block["mean"] == pytest.approx((2 / 3 + 4 / 9) / 3)


def test_applies_only_when_every_prompt_has_a_reference():
    ctx = _ctx([(0, "a", 1)], ["ref", "ref"])
    assert reference_overlap.applies(ctx)
    ctx.heldout[1] = Prompt("p1", {"documents": "doc"})
    assert not reference_overlap.applies(ctx)
    assert not reference_overlap.applies(context(["p"], [(0, "a", 1)], [0.0]))


def test_columns_show_mean_and_paired_difference():
    ref = run("reference", 0, train=[0.0, 0.0], prompts=[0, 1])
    ref["metrics"]["reference_overlap"] = {"mean": 0.2, "values": [0.1, 0.3], "ci95": [0.1, 0.3]}
    trained = run("trl-grpo", 0, train=[0.0, 0.0], prompts=[0, 1])
    trained["metrics"]["reference_overlap"] = {"mean": 0.4, "values": [0.3, 0.5], "ci95": [0.3, 0.5]}
    cols = reference_overlap.columns([ref, trained])
    assert [c.title for c in cols] == ["ROUGE-L vs reference ↑", "ROUGE-L Δ ↑"]
    assert cols[0].cell([trained], [ref]) == "0.400 [0.300, 0.500]"
    assert cols[1].cell([ref], [ref]) == "-"
    assert cols[1].cell([trained], [ref]).startswith("+0.200 [+0.200, +0.200]")
    assert reference_overlap.columns([run("reference", 0, train=[0.0])]) == []
