"""Helpers the trainers share: seeding, a trainable copy of the policy LM, freezing layers, the policy tokenizer."""

from __future__ import annotations

from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.runtime import models


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (transformers' ``set_seed`` does the same plus CUDA)."""
    from transformers import set_seed

    set_seed(seed)


def load_trainable_lm(spec: str) -> Any:
    """A fresh, trainable copy of a causal LM (never the shared evaluation copy)."""
    from transformers import AutoModelForCausalLM

    model = models.from_pretrained(AutoModelForCausalLM.from_pretrained, spec)
    return model.to(models.default_device())


def freeze_below(model: Any, trainable_layers: int, keep: tuple[str, ...] = ()) -> None:
    """Freeze everything but the last ``trainable_layers`` transformer blocks, the final norm and ``keep`` modules.

    The blocks are the model's longest ``nn.ModuleList`` (``model.layers`` in Llama, ``transformer.h`` in GPT-2).
    Cuts backward cost on CPU; 0 leaves the model untouched.
    """
    if not trainable_layers:
        return
    from torch import nn

    blocks = max((m for m in model.modules() if isinstance(m, nn.ModuleList)), key=len, default=None)
    if blocks is None or trainable_layers > len(blocks):
        raise ConfigError(f"trainable_layers={trainable_layers} but the model has {len(blocks or [])} blocks")
    for p in model.parameters():
        p.requires_grad_(False)
    trainable = list(blocks[-trainable_layers:])
    trainable += [
        m
        for name, m in model.named_modules()
        if name.endswith(("norm", "ln_f")) and "layers" not in name and ".h." not in name
    ]
    trainable += [getattr(model, k) for k in keep if getattr(model, k, None) is not None]
    for module in trainable:
        for p in module.parameters():
            p.requires_grad_(True)


def policy_tokenizer(spec: str) -> Any:
    """The policy tokenizer, left-padded for generation.

    Its pad token is the checkpoint's own, or eos when it has none (``load_tokenizer``). TRL's PPO needs a pad token
    distinct from eos; the embedded SmolLM2 ships one (``<|endoftext|>``), gpt2 does not.
    """
    return models.load_tokenizer(spec, padding_side="left")
