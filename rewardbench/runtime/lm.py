"""Batched log-probabilities of completion tokens under a causal LM: one forward per batch, no per-token Python.

Sequences are bucketed by length (:mod:`rewardbench.runtime.batching`), so little of a batch is padding. Only the
completion positions go through the output projection, so a 49k-token vocabulary costs memory for the scored tokens
alone rather than for every padded position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass
class TokenScores:
    """Per-sequence completion scores: summed log-prob, token count, greedy match, per-token log-probs."""

    logprob_sum: float
    n_tokens: int
    greedy_match: bool
    token_logprobs: tuple[float, ...] = ()

    @property
    def mean_logprob(self) -> float:
        return self.logprob_sum / self.n_tokens


def max_positions(model: Any, tokenizer: Any = None) -> int:
    """Longest input the model accepts (RoBERTa-style position offsets and tokenizer limits included)."""
    config = model.config
    limit = getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None) or 1024
    if getattr(config, "model_type", "") in ("roberta", "xlm-roberta", "camembert", "longformer"):
        limit -= 2
    if tokenizer is not None and 0 < getattr(tokenizer, "model_max_length", limit) < limit:
        limit = tokenizer.model_max_length
    return int(limit)


def start_token(tokenizer: Any) -> int:
    """The token a scored sequence starts with, so its first real token has a context: BOS, else EOS."""
    return tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id


def left_pad(tokenizer: Any, sequences: Sequence[list[int]]) -> Any:
    """A left-padded batch (``input_ids``, ``attention_mask`` tensors) of token id lists."""
    return tokenizer.pad({"input_ids": list(sequences)}, padding=True, padding_side="left", return_tensors="pt")


def encode_pairs(
    tokenizer: Any, contexts: Sequence[str], completions: Sequence[str], max_length: int
) -> list[tuple[list[int], list[int]]]:
    """Token ids of each (context, completion), tokenised separately as generation produces them.

    The context starts with BOS when the tokenizer has one (else EOS) so the first completion token is
    conditioned on something; an empty completion is scored as EOS (the model ending right there). The
    completion is cut to ``max_length - 1`` tokens and the context is cut from the left to fit.
    """
    start = start_token(tokenizer)
    ctx_ids = tokenizer(list(contexts), add_special_tokens=False)["input_ids"]
    comp_ids = tokenizer(list(completions), add_special_tokens=False)["input_ids"]
    pairs = []
    for ctx, comp in zip(ctx_ids, comp_ids):
        comp = (comp or [tokenizer.eos_token_id])[: max_length - 1]
        ctx = [start] + ctx
        ctx = ctx[max(0, len(ctx) + len(comp) - max_length) :]
        pairs.append((ctx, comp))
    return pairs


def score_pairs(
    model: Any,
    pairs: Sequence[tuple[list[int], list[int]]],
    *,
    pad_id: int,
    batch_size: int = 32,
    max_tokens: int | None = None,
) -> list[TokenScores]:
    """Score completion ids given context ids, in length-bucketed batches."""
    sequences = [ctx + comp for ctx, comp in pairs]
    spans = [[(len(ctx), len(ctx) + len(comp))] for ctx, comp in pairs]
    return [
        s[0] for s in score_spans(model, sequences, spans, pad_id=pad_id, batch_size=batch_size, max_tokens=max_tokens)
    ]


def score_spans(
    model: Any,
    sequences: Sequence[list[int]],
    spans: Sequence[Sequence[tuple[int, int]]],
    *,
    pad_id: int,
    batch_size: int = 32,
    temperature: float = 1.0,
    max_tokens: int | None = None,
) -> list[list[TokenScores]]:
    """Score token spans ``[start, end)`` of each sequence, each token given everything to its left.

    Several spans of one sequence cost one forward pass: a causal LM's prediction at a position depends only on
    the tokens before it. Spans must start at 1 or later (the first token has no context). Log-probs are of
    ``softmax(logits / temperature)``, the distribution sampling at that temperature draws from. Batches hold at
    most ``batch_size`` sequences and ``max_tokens`` padded tokens (default: by device, see
    :func:`rewardbench.runtime.batching.default_max_tokens`).
    """
    import torch

    from rewardbench.runtime.batching import default_max_tokens, length_groups

    results: list[list[TokenScores] | None] = [None] * len(sequences)
    device = next(model.parameters()).device
    backbone = getattr(model, model.base_model_prefix)
    head = model.get_output_embeddings()
    groups = length_groups(
        [len(s) for s in sequences], max_batch=batch_size, max_tokens=max_tokens or default_max_tokens(device)
    )
    for idx in groups:
        width = max(len(sequences[i]) for i in idx)
        ids = torch.full((len(idx), width), pad_id, dtype=torch.long)
        mask = torch.zeros((len(idx), width), dtype=torch.long)
        rows, cols, targets = [], [], []
        for row, i in enumerate(idx):
            seq = sequences[i]
            ids[row, : len(seq)] = torch.tensor(seq)
            mask[row, : len(seq)] = 1
            for lo, hi in spans[i]:
                if lo < 1 or hi > len(seq) or hi <= lo:
                    raise ValueError(f"span {(lo, hi)} does not fit a sequence of {len(seq)} tokens")
                rows += [row] * (hi - lo)
                cols += range(lo - 1, hi - 1)  # position t predicts token t+1
                targets += seq[lo:hi]
        with torch.inference_mode():
            hidden = backbone(input_ids=ids.to(device), attention_mask=mask.to(device)).last_hidden_state
            logits = head(hidden[torch.tensor(rows), torch.tensor(cols)]).float()
            target_t = torch.tensor(targets, device=logits.device)
            token_lp = torch.log_softmax(logits / temperature, dim=-1).gather(1, target_t[:, None]).squeeze(1).cpu()
            hit = (logits.argmax(-1) == target_t).cpu()
        offset = 0
        for i in idx:
            scores = []
            for lo, hi in spans[i]:
                n = hi - lo
                span_lp = token_lp[offset : offset + n]
                scores.append(
                    TokenScores(float(span_lp.sum()), n, bool(hit[offset : offset + n].all()), tuple(span_lp.tolist()))
                )
                offset += n
            results[i] = scores
    return results  # type: ignore[return-value]
