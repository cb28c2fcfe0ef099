"""Every reward family on tiny local models: values against direct computations, options, and bad input."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
import torch

from rewardbench.errors import ConfigError, ModelSourceError, RewardError
from rewardbench.rewards import load_reward
from rewardbench.rewards.compose import NormalizedReward, WeightedSum
from rewardbench.rewards.control import transform
from rewardbench.rewards.sentiment import SentimentReward
from rewardbench.rewards.summary_fill import SummaryFillReward, choose_masks
from rewardbench.rewards.vader import VaderReward, analyzer
from rewardbench.runtime import models

PROMPTS = ["i think dogecoin is", "the movie was"]
COMPLETIONS = [" a scam and a hoax", " great and fun"]


# --- protocol and bad input -------------------------------------------------------------------------------------


def test_positional_call_is_refused():
    with pytest.raises(TypeError, match="keyword arguments only"):
        load_reward("vader")(PROMPTS, COMPLETIONS)


@pytest.mark.parametrize("bad, name", [("just one string", "completions"), ([1, 2], "completions")])
def test_non_string_batches_name_the_argument(bad, name):
    with pytest.raises(TypeError, match=name):
        load_reward("vader")(prompts=PROMPTS, completions=bad)


def test_non_string_prompts_name_the_argument():
    with pytest.raises(TypeError, match="prompts"):
        load_reward("vader")(prompts=[None, None], completions=COMPLETIONS)


def test_mismatched_lengths_raise_value_error():
    with pytest.raises(ValueError, match="1 prompts and 2 completions"):
        load_reward("vader")(prompts=PROMPTS[:1], completions=COMPLETIONS)


def test_empty_batch_gives_empty_list():
    assert load_reward("vader")(prompts=[], completions=[]) == []


def test_trl_call_shape_and_name():
    """TRL calls reward_funcs with completion_ids and dataset columns as keywords and names them by __name__."""
    reward = load_reward("vader")
    scores = reward(prompts=PROMPTS, completions=COMPLETIONS, completion_ids=[[1, 2], [3]], label=["a", "b"])
    assert len(scores) == 2 and reward.__name__ == "vader"


def test_conversational_completions_are_read_as_text():
    reward = load_reward("vader", text="completion")
    chat = [[{"role": "assistant", "content": " a scam and a hoax"}], [{"role": "assistant", "content": " great"}]]
    assert reward(prompts=PROMPTS, completions=chat) == reward(
        prompts=PROMPTS, completions=[" a scam and a hoax", " great"]
    )


def test_nan_from_a_model_names_the_text(tiny_bert_3class, tmp_path):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(tiny_bert_3class)
    with torch.no_grad():
        model.classifier.bias.fill_(float("nan"))
    model.save_pretrained(tmp_path)
    AutoTokenizer.from_pretrained(tiny_bert_3class).save_pretrained(tmp_path)
    reward = SentimentReward(str(tmp_path), target="negative")
    with pytest.raises(RewardError, match="i think dogecoin is"):
        reward(prompts=PROMPTS, completions=COMPLETIONS)


def test_hub_model_without_hub_gives_actionable_error():
    reward = load_reward("sentiment-cardiffnlp")
    with pytest.raises(ModelSourceError, match="local folder or an embedded model"):
        reward(prompts=PROMPTS, completions=COMPLETIONS)


# --- VADER ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["i think dogecoin is a scam and a hoax", "I LOVE it!!! :)", "", "meh."])
def test_vader_equals_polarity_scores(text):
    polarity = analyzer().polarity_scores(text)
    assert load_reward("vader")(prompts=[""], completions=[text]) == [polarity["compound"]]
    assert load_reward("vader", mode="pos-neg")(prompts=[""], completions=[text]) == [
        polarity["pos"] - polarity["neg"]
    ]
    assert load_reward("vader", target="negative")(prompts=[""], completions=[text]) == [-polarity["compound"]]


def test_vader_scores_prompt_plus_completion_by_default():
    full = analyzer().polarity_scores("i think dogecoin is great")["compound"]
    only = analyzer().polarity_scores(" great")["compound"]
    assert load_reward("vader")(prompts=["i think dogecoin is"], completions=[" great"]) == [full]
    assert load_reward("vader", text="completion")(prompts=["i think dogecoin is"], completions=[" great"]) == [only]


def test_vader_rejects_bad_options():
    with pytest.raises(ConfigError, match="mode"):
        VaderReward(mode="neutral")


# --- sentiment classifiers ----------------------------------------------------------------------------------------


def _direct_logits(path: str, texts: list[str]) -> torch.Tensor:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path).eval()
    with torch.no_grad():
        return torch.stack([model(**tok(t, return_tensors="pt")).logits[0] for t in texts])


def test_labels_are_found_by_name_not_index(tiny_bert_3class):
    texts = [p + c for p, c in zip(PROMPTS, COMPLETIONS)]
    probs = _direct_logits(tiny_bert_3class, texts).softmax(-1)  # columns: positive, negative, neutral
    for target, column in (("positive", 0), ("negative", 1), ("neutral", 2)):
        got = load_reward(tiny_bert_3class, target=target)(prompts=PROMPTS, completions=COMPLETIONS)
        assert got == pytest.approx(probs[:, column].tolist(), abs=1e-5)


def test_modes_match_direct_computation(tiny_bert_3class):
    texts = [p + c for p, c in zip(PROMPTS, COMPLETIONS)]
    logits = _direct_logits(tiny_bert_3class, texts)
    probs = logits.softmax(-1)
    logit = load_reward(tiny_bert_3class, target="negative", mode="logit")(prompts=PROMPTS, completions=COMPLETIONS)
    margin = load_reward(tiny_bert_3class, target="negative", mode="margin")(prompts=PROMPTS, completions=COMPLETIONS)
    assert logit == pytest.approx(logits[:, 1].tolist(), abs=1e-5)
    assert margin == pytest.approx((probs[:, 1] - probs[:, 0]).tolist(), abs=1e-5)
    assert all(-1 <= m <= 1 for m in margin)


def test_completion_only_text(tiny_bert_3class):
    probs = _direct_logits(tiny_bert_3class, COMPLETIONS).softmax(-1)
    got = load_reward(tiny_bert_3class, target="positive", text="completion")(prompts=PROMPTS, completions=COMPLETIONS)
    assert got == pytest.approx(probs[:, 0].tolist(), abs=1e-5)


def test_cardiffnlp_label_names_are_mapped(tiny_roberta_cardiffnlp):
    texts = [p + c for p, c in zip(PROMPTS, COMPLETIONS)]
    probs = _direct_logits(tiny_roberta_cardiffnlp, texts).softmax(-1)
    reward = load_reward("sentiment-cardiffnlp", model=tiny_roberta_cardiffnlp, target="negative")
    assert reward(prompts=PROMPTS, completions=COMPLETIONS) == pytest.approx(probs[:, 0].tolist(), abs=1e-5)
    assert reward.label_index("positive") == 2


def test_missing_label_is_a_clear_error(tiny_distilbert_binary):
    reward = load_reward("sentiment-sst2", model=tiny_distilbert_binary, target="neutral")
    with pytest.raises(ConfigError, match="no label 'neutral'.*label_map"):
        reward(prompts=PROMPTS, completions=COMPLETIONS)


def test_margin_needs_an_opposite():
    with pytest.raises(ConfigError, match="opposite"):
        SentimentReward("x", target="neutral", mode="margin")


def test_long_texts_are_truncated_not_crashing(tiny_roberta_cardiffnlp):
    reward = load_reward("sentiment-cardiffnlp", model=tiny_roberta_cardiffnlp)
    scores = reward(prompts=[""], completions=["great fun " * 500])
    assert math.isfinite(scores[0])


def test_rewards_on_one_checkpoint_share_the_model(tiny_bert_3class):
    a = load_reward(tiny_bert_3class, target="negative")
    b = load_reward(tiny_bert_3class, target="positive", mode="logit")
    a(prompts=PROMPTS, completions=COMPLETIONS)
    b(prompts=PROMPTS, completions=COMPLETIONS)
    assert sum(1 for key in models._CACHE if key[0] == "AutoModelForSequenceClassification") == 1


# --- inverse perplexity -----------------------------------------------------------------------------------------


def _direct_mean_logprob(path: str, prompt: str, completion: str) -> float:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path).eval()
    # the prompt as generate sees it (GPT-2: no special token; Llama: its BOS); BOS only before an empty prompt
    ctx = tok(prompt)["input_ids"] or [tok.bos_token_id]
    comp = tok(completion, add_special_tokens=False)["input_ids"] or [tok.eos_token_id]
    with torch.no_grad():
        logp = model(torch.tensor([ctx + comp])).logits[0].log_softmax(-1)
    return sum(float(logp[len(ctx) - 1 + j, t]) for j, t in enumerate(comp)) / len(comp)


@pytest.mark.parametrize("fixture", ["tiny_gpt2", "tiny_llama"])
def test_inverse_perplexity_equals_direct_computation(fixture, request):
    path = request.getfixturevalue(fixture)
    prompts, completions = PROMPTS + ["", "today"], COMPLETIONS + [" the weather is sunny", ""]
    expected = [_direct_mean_logprob(path, p, c) for p, c in zip(prompts, completions)]
    inverse = load_reward(path)(prompts=prompts, completions=completions)
    loglik = load_reward(path, mode="loglik")(prompts=prompts, completions=completions)
    assert loglik == pytest.approx(expected, abs=1e-4)
    assert inverse == pytest.approx([math.exp(e) for e in expected], rel=1e-4)


def test_inverse_perplexity_truncates_long_inputs(tiny_gpt2):
    scores = load_reward("inverse-perplexity-gpt2", model=tiny_gpt2)(
        prompts=["fun " * 300], completions=["great " * 300]
    )
    assert 0 < scores[0] <= 1


# --- summary fill -----------------------------------------------------------------------------------------------

DOC = (
    "The parser reads sentences from the treebank and assigns each word a head . In 2019 the parser reached "
    "high accuracy on news sentences from the treebank ."
)


def test_masks_skip_first_word_stop_words_and_numbers():
    words = DOC.split()
    masks = choose_masks(words, 8, seed=0)
    assert 0 not in masks and len(masks) == 8
    from rewardbench.rewards.summary_fill import stop_words

    for i in masks:
        assert words[i].isalpha() and words[i].lower() not in stop_words()
    assert masks == choose_masks(words, 8, seed=0)
    assert masks != choose_masks(words, 8, seed=1)
    # a word may end in punctuation or hold an apostrophe (isalpha alone dropped both)
    words = "Honestly dogecoin, everyone's favourite coin, is 42 .".split()
    from rewardbench.rewards.summary_fill import word_core

    assert [word_core(w) for w in words] == [
        "Honestly",
        "dogecoin",
        "everyone's",
        "favourite",
        "coin",
        None,
        None,
        None,
    ]
    assert choose_masks(words, 8, seed=0) == [1, 2, 3, 4]


STUDY_DOC = "Honestly dogecoin, everyone's great weather, is 42 ."


def test_study_text_is_one_segment_with_one_mask_and_the_punctuation_kept():
    from rewardbench.rewards.summary_fill import study_text

    words = STUDY_DOC.split()
    assert study_text(words, 1, "a coin", "[MASK]") == "a coin\nHonestly [MASK], everyone's great weather, is 42 ."
    assert study_text(words, 2, "", "[MASK]") == "Honestly dogecoin, [MASK] great weather, is 42 ."


def test_study_estimator_hand_worked(tiny_bert_mlm, monkeypatch):
    # A stub masked LM whose best guess at every position is "weather" when the input holds the summary's "scam",
    # else "movie". Words 1-4 are candidates (dogecoin, everyone's, great, weather); the seed picks one.
    from rewardbench.rewards import summary_fill
    from rewardbench.runtime import models

    tok = models.load_tokenizer(tiny_bert_mlm)
    weather, movie, scam = tok.convert_tokens_to_ids(["weather", "movie", "scam"])
    assert tok.unk_token_id not in (weather, movie, scam)
    seen = []

    class Stub(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))
            self.config = SimpleNamespace(max_position_embeddings=64, model_type="bert")

        def forward(self, input_ids, **_):
            seen.extend(tok.batch_decode(input_ids))
            logits = torch.zeros(*input_ids.shape, len(tok))
            for r, row in enumerate(input_ids.tolist()):
                logits[r, :, weather if scam in row else movie] = 5.0
            return SimpleNamespace(logits=logits)

    monkeypatch.setattr(models, "load_masked_lm", lambda *a, **k: Stub())
    words = STUDY_DOC.split()
    on_weather = next(seed for seed in range(100) if summary_fill.choose_masks(words, 1, seed) == [4])
    on_dogecoin = next(seed for seed in range(100) if summary_fill.choose_masks(words, 1, seed) == [1])
    reward = SummaryFillReward(tiny_bert_mlm, estimator="study", seed=on_weather)
    [result] = reward.fill([STUDY_DOC], ["the scam"])
    assert result.n_masks == 1 and reward.metric == "accuracy"
    # "weather" masked: filled right given the summary (a hit), as "movie" without it (a miss)
    assert (result.accuracy_with, result.accuracy_without) == (1.0, 0.0)
    assert reward(prompts=[STUDY_DOC], completions=["the scam"]) == [1.0]
    masked = [t.replace(" [PAD]", "") for t in seen]
    assert all(t.count("[MASK]") == 1 and t.count("[SEP]") == 1 for t in masked)  # one mask, one segment
    assert "[CLS] the scam honestly dogecoin [UNK] everyone [UNK] s great [MASK] [UNK] is [UNK] [UNK] [SEP]" in masked
    # "dogecoin" masked: "weather" is not the word, so the summary gains nothing
    study = SummaryFillReward(tiny_bert_mlm, estimator="study", seed=on_dogecoin)
    assert study(prompts=[STUDY_DOC], completions=["the scam"]) == [0.0]


def test_masked_filler_matches_direct_computation(tiny_bert_mlm):
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    reward = SummaryFillReward(tiny_bert_mlm, n_masks=3)
    summary = "a parser assigns heads"
    [result] = reward.fill([DOC], [summary])
    tok = AutoTokenizer.from_pretrained(tiny_bert_mlm)
    model = AutoModelForMaskedLM.from_pretrained(tiny_bert_mlm).eval()
    words = DOC.split()
    lps_with, lps_without = [], []
    for i in choose_masks(words, 3, seed=0):
        for first, sink in (([summary.split()], lps_with), (None, lps_without)):
            enc = tok(*((first, [words]) if first else ([words],)), is_split_into_words=True, return_tensors="pt")
            seg = 1 if first else 0
            pos = [t for t, (w, s) in enumerate(zip(enc.word_ids(0), enc.sequence_ids(0))) if w == i and s == seg]
            ids = enc["input_ids"].clone()
            ids[0, pos] = tok.mask_token_id
            with torch.no_grad():
                logp = model(**{**enc, "input_ids": ids}).logits[0].log_softmax(-1)
            sink.append(sum(float(logp[p, enc["input_ids"][0, p]]) for p in pos))
    assert result.logprob_with == pytest.approx(sum(lps_with) / 3, abs=1e-4)
    assert result.logprob_without == pytest.approx(sum(lps_without) / 3, abs=1e-4)
    assert reward(prompts=[DOC], completions=[summary]) == pytest.approx(
        [result.logprob_with - result.logprob_without]
    )


@pytest.mark.parametrize("filler, fixture", [("masked", "tiny_bert_mlm"), ("causal", "tiny_llama")])
def test_empty_summary_gains_nothing(filler, fixture, request):
    reward = SummaryFillReward(request.getfixturevalue(fixture), filler=filler, metric="accuracy")
    assert reward(prompts=[DOC], completions=[""]) == [0.0]


def test_documents_column_overrides_prompts(tiny_llama):
    reward = SummaryFillReward(tiny_llama, filler="causal")
    direct = reward(prompts=[DOC], completions=["a parser"])
    via_column = reward(prompts=["Summarize the paper:"], completions=["a parser"], documents=[DOC])
    assert direct == via_column


def test_document_without_maskable_words_scores_zero(tiny_llama):
    assert SummaryFillReward(tiny_llama, filler="causal")(prompts=["the of and 42"], completions=["x"]) == [0.0]


def test_masked_filler_needs_a_masked_lm(tiny_llama):
    with pytest.raises(ConfigError, match="cannot be loaded as a MaskedLM model"):
        SummaryFillReward(tiny_llama, filler="masked")(prompts=[DOC], completions=["x"])


# --- control codes and composition ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, logit, expected",
    [("negative", 1.5, -1.5), ("neutral", 1.5, 1.0), ("neutral", -0.5, 3.0), ("positive", -2.0, -2.0)],
)
def test_control_code_transform(code, logit, expected):
    assert transform(code, logit) == expected


def test_control_code_reward_reads_prefix_or_column(tiny_distilbert_binary):
    base = load_reward(
        "sentiment-sst2", model=tiny_distilbert_binary, target="positive", mode="logit", text="completion"
    )
    logits = base(prompts=["", ""], completions=COMPLETIONS)
    reward = load_reward("control-code", base=base)
    from_prefix = reward(prompts=["[negative] i think", "[neutral] the movie"], completions=COMPLETIONS)
    from_column = reward(
        prompts=["i think", "the movie"], completions=COMPLETIONS, control_codes=["negative", "neutral"]
    )
    expected = [transform("negative", logits[0]), transform("neutral", logits[1])]
    assert from_prefix == pytest.approx(expected) and from_column == pytest.approx(expected)
    with pytest.raises(ConfigError, match="no control code"):
        reward(prompts=["no code here", "[positive] x"], completions=COMPLETIONS)


def test_control_code_scores_the_code_stripped_prompt_plus_completion_by_a_signed_3_class_logit(tiny_bert_3class):
    # the tiny classifier's labels are ordered positive, negative, neutral
    reward = load_reward("control-code", model=tiny_bert_3class)
    prompts = ["[negative] i think dogecoin is", "[neutral] the movie was", "[positive] today"]
    logits = _direct_logits(tiny_bert_3class, [p.split("] ", 1)[1] + c for p, c in zip(prompts, COMPLETIONS * 2)])
    logits = logits.tolist()
    signed = [row[0] - row[1] for row in logits]  # logit(positive) - logit(negative): 0 is neutral
    expected = [transform(code, s) for code, s in zip(["negative", "neutral", "positive"], signed)]
    assert reward(prompts=prompts, completions=(COMPLETIONS * 2)[:3]) == pytest.approx(expected, abs=1e-5)
    alone = load_reward("control-code", model=tiny_bert_3class, text="completion")
    completion_logits = _direct_logits(tiny_bert_3class, (COMPLETIONS * 2)[:3]).tolist()
    assert alone(prompts=prompts, completions=(COMPLETIONS * 2)[:3]) == pytest.approx(
        [transform(code, r[0] - r[1]) for code, r in zip(["negative", "neutral", "positive"], completion_logits)],
        abs=1e-5,
    )


def test_control_code_on_a_binary_base_keeps_the_studys_raw_positive_logit(tiny_distilbert_binary):
    reward = load_reward("control-code-imdb", model=tiny_distilbert_binary)
    (row,) = _direct_logits(tiny_distilbert_binary, ["the film" + COMPLETIONS[0]]).tolist()
    labels = load_reward("sentiment-imdb", model=tiny_distilbert_binary)
    positive = labels.label_index("positive")
    assert reward(prompts=["[neutral] the film"], completions=[COMPLETIONS[0]]) == pytest.approx(
        [transform("neutral", row[positive])], abs=1e-5
    )
    with pytest.raises(ConfigError, match="signal"):
        load_reward("control-code", signal="raw")


def test_signed_logit_mode_of_a_sentiment_reward(tiny_bert_3class):
    reward = load_reward("sentiment-minilm-tweets", model=tiny_bert_3class, target="negative", mode="signed-logit")
    (row,) = _direct_logits(tiny_bert_3class, ["i think" + COMPLETIONS[0]]).tolist()
    assert reward(prompts=["i think"], completions=[COMPLETIONS[0]]) == pytest.approx([row[1] - row[0]], abs=1e-5)


def test_weighted_sum_and_normalisation():
    vader = load_reward("vader")
    plain = vader(prompts=PROMPTS, completions=COMPLETIONS)
    total = WeightedSum([(2.0, vader), (-1.0, load_reward("vader", mode="pos-neg"))])
    pos_neg = load_reward("vader", mode="pos-neg")(prompts=PROMPTS, completions=COMPLETIONS)
    assert total(prompts=PROMPTS, completions=COMPLETIONS) == pytest.approx(
        [2 * a - b for a, b in zip(plain, pos_neg)]
    )

    reference = ["great", "awful", "fine", "terrible", "lovely"]
    normalised = NormalizedReward(vader, reference_completions=reference, clip=(-1.0, 1.0))
    ref_scores = vader(prompts=[""] * 5, completions=reference)
    mean = sum(ref_scores) / 5
    std = (sum((s - mean) ** 2 for s in ref_scores) / 5) ** 0.5
    expected = [min(max((s - mean) / std, -1.0), 1.0) for s in plain]
    assert normalised(prompts=PROMPTS, completions=COMPLETIONS) == pytest.approx(expected)
    with pytest.raises(ConfigError, match="clip"):
        NormalizedReward(vader, clip=(1.0, -1.0))


def test_causal_filler_matches_per_mask_computation(tiny_llama):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_llama)
    model = AutoModelForCausalLM.from_pretrained(tiny_llama).eval()
    summary = "a parser assigns heads"
    words = DOC.split()
    [result] = SummaryFillReward(tiny_llama, filler="causal", n_masks=3).fill([DOC], [summary])
    pieces = tok([w if j == 0 else " " + w for j, w in enumerate(words)], add_special_tokens=False)["input_ids"]
    for prefix, expected in (
        (tok(summary + "\n\n", add_special_tokens=False)["input_ids"], result.logprob_with),
        ([], result.logprob_without),
    ):
        lps = []
        for i in choose_masks(words, 3, seed=0):  # one forward per mask: the slow, obvious way
            ctx = [tok.bos_token_id] + prefix + [t for p in pieces[:i] for t in p]
            with torch.no_grad():
                logp = model(torch.tensor([ctx + pieces[i]])).logits[0].log_softmax(-1)
            lps.append(sum(float(logp[len(ctx) - 1 + j, t]) for j, t in enumerate(pieces[i])))
        assert expected == pytest.approx(sum(lps) / 3, abs=1e-4)


def test_a_chat_completion_scores_like_the_same_string_with_the_roles_on_their_own_lines():
    vader = load_reward("vader", target="negative")
    as_string = vader(prompts=["hi\n"], completions=["awful"])
    as_chat = vader(
        prompts=[[{"role": "user", "content": "hi"}]], completions=[[{"role": "assistant", "content": "awful"}]]
    )
    assert as_string[0] > 0.4  # "awful" is negative; glued to the prompt ("hiawful") VADER would give 0.0
    assert as_chat == as_string
    no_prompt = vader(completions=[[{"role": "assistant", "content": "awful"}]])
    assert no_prompt == vader(completions=["awful"])


def test_only_the_assistant_messages_of_a_chat_completion_are_judged():
    vader = load_reward("vader", target="negative", text="completion")
    mixed = [{"role": "tool", "content": "lovely wonderful great"}, {"role": "assistant", "content": "awful"}]
    assert vader(completions=[mixed]) == vader(completions=["awful"])


@pytest.mark.parametrize(
    ("reward_id", "fixture", "options"),
    [
        (None, "tiny_bert_3class", {"target": "negative", "mode": "logit"}),
        ("inverse-perplexity", "tiny_gpt2", {"mode": "loglik"}),
        ("lm-judge", "tiny_gpt2", {"target": "negative"}),
    ],
)
def test_bf16_scoring_is_opt_in_and_close_to_fp32(reward_id, fixture, options, request):
    spec = request.getfixturevalue(fixture)
    where = {"model": spec} if reward_id else {}
    fp32 = load_reward(reward_id or spec, **where, **options)
    bf16 = load_reward(reward_id or spec, **where, dtype="bfloat16", **options)
    exact = fp32(prompts=PROMPTS, completions=COMPLETIONS)
    rounded = bf16(prompts=PROMPTS, completions=COMPLETIONS)
    loader = models.load_causal_lm if reward_id else models.load_sequence_classifier
    assert next(loader(spec).parameters()).dtype == torch.float32  # the default on CPU
    assert next(loader(spec, dtype=torch.bfloat16).parameters()).dtype == torch.bfloat16
    assert rounded != exact  # computed in bf16, not silently in fp32
    assert rounded == pytest.approx(exact, abs=0.1, rel=0.05)
