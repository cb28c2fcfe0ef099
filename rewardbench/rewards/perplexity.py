"""Inverse perplexity of the completion under a causal LM (the fluency half of the TextRL reward)."""

from __future__ import annotations

import math
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.rewards.base import Probe, Reward, RewardCard
from rewardbench.runtime import models
from rewardbench.runtime.lm import encode_pairs, max_positions, score_pairs
from rewardbench.runtime.precision import torch_dtype


class InversePerplexityReward(Reward):
    """Fluency of the completion given the prompt.

    Measures: ``inverse`` = 1 / perplexity = exp(mean log p(completion token | prompt, earlier tokens)), in
    (0, 1]; ``loglik`` = that mean log-likelihood, in (-inf, 0]. Higher is better. An empty completion is
    scored as the model's probability of ending there (its EOS token).
    One forward pass per length bucket of at most ``batch_size`` texts and ``max_batch_tokens`` padded tokens.
    ``dtype="bfloat16"`` scores in bf16 (opt-in, for scoring inside training loops; default: fp32 on CPU, bf16
    on CUDA); its agreement with fp32 rankings is measured in results/bench/BENCH.md.
    Checkpoint: ``model`` (default ``embedded:smollm2-135m``; any causal LM by hub id or path).
    Citation: Jelinek et al. 1977 (perplexity); TextRL (Lee 2022) for its use as an RL reward.

    Example:
        >>> from rewardbench.rewards import load_reward
        >>> r = load_reward("inverse-perplexity")
        >>> fluent, shuffled = r(prompts=["The cat sat on"] * 2, completions=[" the mat.", " mat. on the"])
        >>> fluent > shuffled
        True
    """

    def __init__(
        self,
        model: str = "embedded:smollm2-135m",
        *,
        mode: str = "inverse",
        batch_size: int = 32,
        max_batch_tokens: int | None = None,
        dtype: str | None = None,
        id: str = "inverse-perplexity",
        version: int = 2,  # 2: the context encoded as sampling encodes a prompt (no BOS before it)
    ) -> None:
        if mode not in ("inverse", "loglik"):
            raise ConfigError(f"inverse-perplexity mode must be 'inverse' or 'loglik', got {mode!r}")
        self.model_spec, self.mode = model, mode
        self.batch_size, self.max_batch_tokens = batch_size, max_batch_tokens
        self.dtype = torch_dtype(dtype)
        super().__init__(
            RewardCard(
                id=id,
                version=version,
                checkpoint=model,
                range="(0, 1]" if mode == "inverse" else "(-inf, 0]",
                measures="fluency of the completion given the prompt "
                f"({'1/perplexity' if mode == 'inverse' else 'mean log-likelihood'})",
                citation="TextRL (Lee 2022); perplexity as exp of mean token NLL",
                probes=(Probe("The cat sat on", " the mat and purred.", " purred mat the and on."),),
            )
        )

    def _score(self, prompts: list[str], completions: list[str], **_: Any) -> list[float]:
        model = models.load_causal_lm(self.model_spec, dtype=self.dtype)
        tok = models.load_tokenizer(self.model_spec)
        pairs = encode_pairs(tok, prompts, completions, max_positions(model, tok))
        scores = score_pairs(
            model, pairs, pad_id=tok.pad_token_id, batch_size=self.batch_size, max_tokens=self.max_batch_tokens
        )
        means = [s.mean_logprob for s in scores]
        return [math.exp(m) for m in means] if self.mode == "inverse" else means


def gpt2(**options: Any) -> InversePerplexityReward:
    """Inverse perplexity under GPT-2 (hub)."""
    options.setdefault("model", "gpt2")
    return InversePerplexityReward(id="inverse-perplexity-gpt2", **options)
