"""Reward evaluation: pair construction, accuracy and interval maths, suites on tiny models, and the report."""

from __future__ import annotations

import json

import pytest

from rewardbench.cli import main
from rewardbench.errors import ConfigError
from rewardbench.io import write_json_atomic
from rewardbench.reward_eval.report import report
from rewardbench.reward_eval.suites import (
    EvalConfig,
    aclsum_pair_sets,
    axis_pairs,
    comparison_pairs,
    evaluate,
    labelled_pairs,
)
from rewardbench.rewards import REWARDS


def test_labelled_pairs_are_deterministic_and_correct():
    texts = [f"good {i}" for i in range(5)] + [f"bad {i}" for i in range(7)] + ["meh"]
    labels = ["positive"] * 5 + ["negative"] * 7 + ["neutral"]
    a = labelled_pairs("toy", texts, labels, "negative", 10, seed=0)
    assert a == labelled_pairs("toy", texts, labels, "negative", 10, seed=0)
    assert len(a.chosen) == 5 and all(t.startswith("bad") for t in a.chosen)
    assert all(t.startswith("good") for t in a.rejected)
    assert a != labelled_pairs("toy", texts, labels, "negative", 10, seed=1)
    with pytest.raises(ConfigError, match="no 'positive'"):
        labelled_pairs("toy", ["meh"], ["neutral"], "positive", 3, seed=0)


def test_aclsum_pairs_never_pair_a_document_with_itself():
    own_vs_other, own_vs_lead = aclsum_pair_sets(20, seed=0)
    assert len(own_vs_other.chosen) == 20
    assert all(c != r for c, r in zip(own_vs_other.chosen, own_vs_other.rejected))
    assert own_vs_lead.chosen == own_vs_other.chosen
    assert all(ctx.startswith(lead) for ctx, lead in zip(own_vs_lead.context, own_vs_lead.rejected))


def test_summarize_from_feedback_records_become_pairs():
    comparisons = [
        {"info": {"id": "p1", "post": "post one"}, "summaries": [{"text": "a"}, {"text": "b"}], "choice": 1},
        {"info": {"id": "p2", "post": "post two"}, "summaries": [{"text": "c"}, {"text": "d"}], "choice": 0},
    ]
    pairs = comparison_pairs(comparisons, 10)
    assert pairs.chosen == ("b", "c") and pairs.rejected == ("a", "d") and pairs.context == ("post one", "post two")

    axis = [
        {"info": {"id": "p1", "post": "post one"}, "summary": {"text": "great", "axes": {"overall": 7}}},
        {"info": {"id": "p1", "post": "post one"}, "summary": {"text": "weak", "axes": {"overall": 4}}},
        {"info": {"id": "p2", "post": "post two"}, "summary": {"text": "only high", "axes": {"overall": 7}}},
        {"info": {"id": "p1", "post": "post one"}, "summary": {"text": "mid", "axes": {"overall": 5}}},
    ]
    pairs = axis_pairs(axis, 10)
    assert pairs.chosen == ("great",) and pairs.rejected == ("weak",) and pairs.context == ("post one",)


def test_bad_suite_lists_the_suites():
    with pytest.raises(ConfigError, match="suites: probes, sentiment, summary"):
        EvalConfig(suite="sentimnt")
    with pytest.raises(ConfigError, match="source"):
        EvalConfig(suite="sentiment", source="web")


def test_sentiment_suite_is_deterministic_and_skips_misfits():
    config = EvalConfig(suite="sentiment", n_pairs=40, n_resamples=200, rewards=("vader", "summary-fill-smollm2"))
    first, second = evaluate(config), evaluate(config)
    assert first["rows"] == second["rows"]
    assert [r["target"] for r in first["rows"]] == ["positive", "negative"]
    assert all(r["n_pairs"] == 40 and 0 <= r["accuracy"] <= 1 for r in first["rows"])
    assert first["rows"][0]["accuracy"] > 0.5  # VADER prefers positive tweets to negative ones
    [skip] = first["skipped"]
    assert skip["reward"] == "summary-fill-smollm2" and "not a sentiment reward" in skip["reason"]


def test_hub_rewards_are_skipped_offline_with_a_reason():
    result = evaluate(EvalConfig(suite="probes", rewards=("vader", "sentiment-cardiffnlp")))
    assert result["skipped"] == [
        {
            "reward": "sentiment-cardiffnlp",
            "reason": "needs the model hub (cardiffnlp/twitter-roberta-base-sentiment); run with --source hub",
        }
    ]
    assert all(r["passed"] for r in result["rows"])


@pytest.fixture
def tiny_fill_reward(tiny_llama):
    from rewardbench.rewards.summary_fill import SummaryFillReward

    factory = lambda **o: SummaryFillReward(tiny_llama, filler="causal", id="summary-fill-tiny", **o)  # noqa: E731
    with REWARDS.override("summary-fill-tiny", factory):
        yield "summary-fill-tiny"


def test_summary_suite_and_report(tiny_fill_reward, tmp_path, monkeypatch):
    config = EvalConfig(suite="summary", n_documents=3, n_resamples=100, rewards=(tiny_fill_reward,))
    # The tiny model has a 64-token window and a character-level vocabulary for these words: cut to fit.
    monkeypatch.setattr(
        "rewardbench.reward_eval.suites.load_reward",
        lambda rid, **o: REWARDS.get(rid)(max_document_words=6, max_summary_words=2, **o),
    )
    result = evaluate(config)
    monkeypatch.undo()
    assert {r["condition"] for r in result["rows"]} == {"document only", "preferred summary", "other summary"}
    # both estimators side by side: 2 estimators x 2 pair sets x 3 conditions
    assert {r["reward"] for r in result["rows"]} == {"summary-fill-tiny [multi-mask]", "summary-fill-tiny [study]"}
    assert len(result["rows"]) == 2 * 2 * 3 and result["pair_sets"] == {
        "aclsum: own summary > other document's summary": 3,
        "aclsum: own summary > lead-2": 3,
    }
    assert len(result["pairwise"]) == 2 * 2 * 2 + 2
    study = [r for r in result["rows"] if r["reward"].endswith("[study]")]
    assert all(r["n_masks"] == 3 for r in study)  # one word per document
    doc_only = [r for r in result["rows"] if r["condition"] == "document only"]
    assert doc_only[0]["logprob"] == doc_only[1]["logprob"]  # same documents, same masks in both pair sets

    write_json_atomic(tmp_path / "summary.json", result)
    write_json_atomic(tmp_path / "probes.json", evaluate(EvalConfig(suite="probes", rewards=("vader",))))
    written = report(tmp_path)
    text = (tmp_path / "LEADERBOARD.md").read_text()
    assert "## Summary-fill" in text and "## Probes" in text and "rouge-l vs document" in text
    assert (tmp_path / "summary_fill_embedded.png").stat().st_size > 1000 and len(written) == 2


def test_report_errors_are_actionable(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        report(tmp_path / "missing")
    with pytest.raises(ConfigError, match="no result files"):
        report(tmp_path)
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(ConfigError, match="not valid JSON"):
        report(tmp_path)


def test_cli_eval_rewards_writes_json(tmp_path, capsys):
    assert main(["eval-rewards", "--suite", "probes", "--reward", "vader", "--out", str(tmp_path)]) == 0
    doc = json.loads((tmp_path / "probes.json").read_text())
    assert doc["schema"] == "rewardbench.reward-eval/1" and doc["rows"][0]["reward"] == "vader"
    assert main(["eval-rewards", "--suite", "nope"]) == 2
    assert "suites: probes, sentiment, summary" in capsys.readouterr().err
