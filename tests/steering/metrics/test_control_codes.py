"""steering.metrics.control_codes: the training reward per control code."""

from __future__ import annotations

from rewardbench.steering.metrics import control_codes
from tests.steering.metrics.helpers import context


def test_applies_only_to_tasks_with_codes():
    assert not control_codes.applies(context(["p"], [(0, "x", 1)], [0.0]))
    assert control_codes.applies(context(["p"], [(0, "x", 1)], [0.0], control_codes=("[negative]",)))


def test_scores_are_grouped_by_each_prompt_code():
    ctx = context(
        ["[negative] a", "[positive] b", "plain"],
        [(0, "x", 1), (1, "y", 1), (0, "z", 1), (2, "w", 1)],
        [1.0, 5.0, 3.0, 7.0],
        control_codes=("[negative]", "[positive]"),
    )
    block = control_codes.compute(ctx)["by_code"]
    assert {code: (b["mean"], b["n"]) for code, b in block.items()} == {
        "(none)": (7.0, 1),
        "negative": (2.0, 2),
        "positive": (5.0, 1),
    }


def test_section_table_has_one_column_per_code():
    groups = {
        ("trl-ppo", "cc"): [{"metrics": {"by_code": {"[negative]": {"mean": 1.5}, "[positive]": {"mean": 2.0}}}}]
    }
    lines = control_codes.section(groups, [("trl-ppo", "cc")])
    assert lines[0] == "### Training reward per control code"
    header, _, row = lines[2].splitlines()
    assert [c.strip() for c in header.strip("|").split("|")] == ["policy", "reward", "[negative]", "[positive]"]
    assert [float(c) for c in row.strip("|").split("|")[2:]] == [1.5, 2.0]
    assert control_codes.section({("reference", "r"): [{"metrics": {}}]}, [("reference", "r")]) == []
