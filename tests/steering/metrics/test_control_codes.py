"""steering.metrics.control_codes: the training reward and the judges per control code, each code's own way."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rewardbench.rewards import RewardCard
from rewardbench.steering.metrics import control_codes, judges
from tests.steering.metrics.helpers import context


def test_applies_only_to_tasks_with_codes():
    assert not control_codes.applies(context(["p"], [(0, "x", 1)], [0.0]))
    assert control_codes.applies(context(["p"], [(0, "x", 1)], [0.0], control_codes=("[negative]",)))


class _Judge:
    """A judge of ``target`` sentiment whose score is +1 for a completion "good", -1 otherwise; it records the
    prompts it read."""

    def __init__(self, target: str) -> None:
        self.card = RewardCard(id="j", version=1, measures="m", range="r")
        self.target = target
        self.read: list[str] = []

    def __call__(self, *, prompts, completions):
        self.read += prompts
        return [1.0 if c == "good" else -1.0 for c in completions]


def _coded_context(judge_labels):
    ctx = context(
        ["[negative] a", "[positive] b", "[neutral] c"],
        [(0, "good", 1), (0, "bad", 1), (1, "good", 1), (2, "bad", 1)],
        [1.0, 3.0, 5.0, 7.0],
        control_codes=("[negative]", "[positive]", "[neutral]"),
    )
    made = {label: _Judge("negative" if label.endswith(":negative") else "positive") for label in judge_labels}
    ctx.task.judges = tuple(SimpleNamespace(label=label, load=lambda j=j: j) for label, j in made.items())
    return ctx, made


def test_reward_and_judges_are_grouped_by_code_and_judges_read_each_code_its_own_way():
    ctx, made = _coded_context(["vader", "afinn:negative"])
    out = control_codes.compute(ctx)
    assert {code: (b["mean"], b["n"]) for code, b in out["by_code"].items()} == {
        "negative": (2.0, 2),
        "neutral": (7.0, 1),
        "positive": (5.0, 1),
    }
    # vader scores +1 for "good": a [negative] prompt's "good" is -1, its "bad" +1; [neutral] is -|s|
    by = out["judges_by_code"]
    assert by["negative"]["vader"]["values"] == [-1.0, 1.0]
    assert by["positive"]["vader"]["values"] == [1.0] and by["neutral"]["vader"]["values"] == [-1.0]
    # a judge with target negative says +1 for "good" meaning "negative": flipped to positive-is-higher first
    assert by["negative"]["afinn:negative"]["values"] == [1.0, -1.0]
    # judges read the prompt without its code ("[negative]" is itself a lexicon word), once per evaluation
    assert made["vader"].read == ["a", "a", "b", "c"]
    judges.compute(ctx)
    assert len(made["vader"].read) == 4


def _run(seed, negative, positive):
    return {
        "seed": seed,
        "metrics": {
            "by_code": {
                "negative": {"values": negative, "prompt_index": list(range(len(negative)))},
                "positive": {"values": positive, "prompt_index": list(range(len(positive)))},
            },
            "judges_by_code": {
                "negative": {"vader": {"values": negative}},
                "positive": {"vader": {"values": positive}},
            },
        },
    }


def test_section_shows_each_codes_mean_and_its_difference_from_the_reference():
    groups = {
        ("reference", "cc"): [_run(0, [0.0, 0.0], [1.0, 1.0]), _run(1, [0.0, 1.0], [1.0, 2.0])],
        ("trl-grpo", "cc"): [_run(0, [1.0, 1.0], [1.0, 1.0]), _run(1, [2.0, 2.0], [2.0, 2.0])],
    }
    lines = control_codes.section(groups, [("reference", "cc"), ("trl-grpo", "cc")])
    table = "\n".join(lines)
    assert lines[0] == "### Training reward per control code"
    rows = [line for line in table.splitlines() if line.startswith("| `trl-grpo`")]
    # reward row: negative mean 1.5, Δ per seed +1 and +1.5 -> 1.25; positive mean 1.5, Δ +0 and +0.5 -> 0.25
    assert "1.500 (Δ 1.250 [" in rows[0] and rows[0].count("Δ") == 2 and "0.250 [" in rows[0]
    assert rows[1].split("|")[2].strip() == "`vader`" and "1.500 (Δ 1.250 [" in rows[1]
    assert "Δ" not in next(line for line in table.splitlines() if line.startswith("| `reference` | `cc`"))
    assert control_codes.section({("reference", "r"): [{"metrics": {}}]}, [("reference", "r")]) == []


@pytest.mark.parametrize(
    ("code", "score", "want"), [("positive", 0.5, 0.5), ("negative", 0.5, -0.5), ("neutral", -0.5, -0.5)]
)
def test_directed_reads_a_positive_score_in_the_codes_direction(code, score, want):
    assert control_codes.directed(code, score) == want
