"""Batched log-probabilities of completion tokens under a causal LM: one forward per batch, no per-token Python.

Sequences are bucketed by length (:mod:`rewardbench.runtime.batching`), so little of a batch is padding. Only the
completion positions go through the output projection, so a 49k-token vocabulary costs memory for the scored tokens
alone rather than for every padded position.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sampling:
    """The logits processing of a sampler, so that scored log-probs are those of the distribution it draws from.

    ``generate``'s order: repetition penalty (on every earlier non-pad token, prompt included), temperature, top-k,
    top-p. The defaults score the model's own distribution.
    """

    temperature: float = 1.0  #: softmax temperature
    top_k: int = 0  #: keep the k most likely tokens (0: all)
    top_p: float = 1.0  #: keep the smallest set of most likely tokens with this much mass (1.0: all)
    repetition_penalty: float = 1.0  #: CTRL penalty on tokens already in the sequence (1.0: none)

    @property
    def needs_history(self) -> bool:
        return self.repetition_penalty != 1.0

    @property
    def truncates(self) -> bool:
        """Whether some tokens get probability zero (then KL between two such distributions can be infinite)."""
        return bool(self.top_k) or self.top_p < 1.0


def process_logits(logits: Any, history: Any, sampling: Sampling) -> Any:
    """Apply ``sampling`` to a batch of next-token logits, exactly as ``generate`` does before it samples.

    Args:
        logits: ``(N, vocab)`` float logits.
        history: ``(N, W)`` token ids already in each sequence, padded with -1 (padding is never penalised); only
            read when there is a repetition penalty.
    """
    import torch
    from transformers import TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

    if sampling.needs_history:
        vocab = logits.shape[-1]
        ids = torch.where(history >= 0, history, vocab)  # padding goes to an extra column that is dropped
        seen = torch.zeros((logits.shape[0], vocab + 1), dtype=torch.bool, device=logits.device)
        seen.scatter_(1, ids.to(logits.device), True)
        seen = seen[:, :vocab]
        penalty = sampling.repetition_penalty
        logits = torch.where(seen, torch.where(logits < 0, logits * penalty, logits / penalty), logits)
    dummy = torch.zeros((logits.shape[0], 1), dtype=torch.long, device=logits.device)
    if sampling.temperature != 1.0:
        logits = TemperatureLogitsWarper(sampling.temperature)(dummy, logits)
    if sampling.top_k:
        logits = TopKLogitsWarper(top_k=sampling.top_k)(dummy, logits)
    if sampling.top_p < 1.0:
        logits = TopPLogitsWarper(top_p=sampling.top_p)(dummy, logits)
    return logits


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
    """The token a sequence with no context starts with, so its first real token has one: BOS, else EOS."""
    return tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id


def left_pad(tokenizer: Any, sequences: Sequence[list[int]]) -> Any:
    """A left-padded batch (``input_ids``, ``attention_mask`` tensors) of token id lists."""
    return tokenizer.pad({"input_ids": list(sequences)}, padding=True, padding_side="left", return_tensors="pt")


def encode_contexts(tokenizer: Any, texts: Sequence[str]) -> list[list[int]]:
    """Context token ids under the project's one start-token convention: each text as sampling encodes a prompt
    (with the tokenizer's own special tokens: none for GPT-2 and SmolLM2, BOS for Llama), and the start token
    (:func:`start_token`) only where that leaves nothing, so a whole text's first token is still scored."""
    start = start_token(tokenizer)
    return [list(ids) or [start] for ids in tokenizer(list(texts))["input_ids"]]


def encode_pairs(
    tokenizer: Any, contexts: Sequence[str], completions: Sequence[str], max_length: int
) -> list[tuple[list[int], list[int]]]:
    """Token ids of each (context, completion), tokenised separately as generation produces them.

    The context is encoded by :func:`encode_contexts` (exactly as sampling encodes a prompt, a start token only for an
    empty context); an empty completion is scored as EOS (the model ending right there). The completion is cut to
    ``max_length - 1`` tokens and the context is cut from the left to fit.
    """
    comp_ids = tokenizer(list(completions), add_special_tokens=False)["input_ids"]
    pairs = []
    for ctx, comp in zip(encode_contexts(tokenizer, contexts), comp_ids):
        comp = (comp or [tokenizer.eos_token_id])[: max_length - 1]
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
    sampling: Sampling | None = None,
    max_tokens: int | None = None,
) -> list[list[TokenScores]]:
    """Score token spans ``[start, end)`` of each sequence, each token given everything to its left.

    Several spans of one sequence cost one forward pass: a causal LM's prediction at a position depends only on
    the tokens before it. Spans must start at 1 or later (the first token has no context). Log-probs are of the
    model's distribution, or with ``sampling`` of the one a sampler with those settings draws from
    (:func:`process_logits`; a token it can never draw scores ``-inf``). Batches hold at most ``batch_size``
    sequences and ``max_tokens`` padded tokens (default: by device, see
    :func:`rewardbench.runtime.batching.default_max_tokens`).
    """
    import torch

    results: list[list[TokenScores] | None] = [None] * len(sequences)
    head = model.get_output_embeddings()
    for idx, ids, mask, hidden in _hidden_batches(model, sequences, pad_id, batch_size, max_tokens):
        rows, cols, targets = [], [], []
        for row, i in enumerate(idx):
            seq = sequences[i]
            for lo, hi in spans[i]:
                if lo < 1 or hi > len(seq) or hi <= lo:
                    raise ValueError(f"span {(lo, hi)} does not fit a sequence of {len(seq)} tokens")
                rows += [row] * (hi - lo)
                cols += range(lo - 1, hi - 1)  # position t predicts token t+1
                targets += seq[lo:hi]
        with torch.inference_mode():
            logits = head(hidden[torch.tensor(rows), torch.tensor(cols)]).float()
            target_t = torch.tensor(targets, device=logits.device)
            hit = (logits.argmax(-1) == target_t).cpu()
            if sampling is not None:
                logits = process_logits(
                    logits, _histories(ids, rows, cols, mask) if sampling.needs_history else None, sampling
                )
            token_lp = torch.log_softmax(logits, dim=-1).gather(1, target_t[:, None]).squeeze(1).cpu()
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


def next_token_logprobs(
    model: Any,
    contexts: Sequence[list[int]],
    candidates: Sequence[int],
    *,
    pad_id: int,
    batch_size: int = 32,
    max_tokens: int | None = None,
) -> list[list[float]]:
    """log p(token | context) of every candidate token after each context: one forward pass per context, where
    scoring each (context, candidate) pair with :func:`score_pairs` would cost one per candidate."""
    import torch

    results: list[list[float]] = [[] for _ in contexts]
    head = model.get_output_embeddings()
    for idx, _, mask, hidden in _hidden_batches(model, contexts, pad_id, batch_size, max_tokens):
        last = mask.sum(1) - 1  # right padding: each context's last real position
        with torch.inference_mode():
            logits = head(hidden[torch.arange(len(idx)), last.to(hidden.device)]).float()
            chosen = torch.log_softmax(logits, dim=-1)[:, list(candidates)].cpu()
        for row, i in enumerate(idx):
            results[i] = chosen[row].tolist()
    return results


def _hidden_batches(
    model: Any, sequences: Sequence[list[int]], pad_id: int, batch_size: int, max_tokens: int | None
) -> Iterator[tuple[list[int], Any, Any, Any]]:
    """Length-bucketed, right-padded batches of ``sequences`` through the model's backbone: for each,
    (sequence indices, ids, attention mask, last hidden states)."""
    import torch

    from rewardbench.runtime.batching import default_max_tokens, length_groups

    device = next(model.parameters()).device
    backbone = getattr(model, model.base_model_prefix)
    groups = length_groups(
        [len(s) for s in sequences], max_batch=batch_size, max_tokens=max_tokens or default_max_tokens(device)
    )
    for idx in groups:
        width = max(len(sequences[i]) for i in idx)
        ids = torch.full((len(idx), width), pad_id, dtype=torch.long)
        mask = torch.zeros((len(idx), width), dtype=torch.long)
        for row, i in enumerate(idx):
            ids[row, : len(sequences[i])] = torch.tensor(sequences[i])
            mask[row, : len(sequences[i])] = 1
        with torch.inference_mode():
            hidden = backbone(input_ids=ids.to(device), attention_mask=mask.to(device)).last_hidden_state
        yield idx, ids, mask, hidden


def _histories(ids: Any, rows: list[int], cols: list[int], mask: Any) -> Any:
    """For each scored position, the tokens up to and including it (what ``generate`` had seen), -1-padded."""
    import torch

    width = max(cols) + 1
    positions = torch.arange(width)
    hist = ids[torch.tensor(rows), :width].clone()
    keep = (positions[None, :] <= torch.tensor(cols)[:, None]) & mask[torch.tensor(rows), :width].bool()
    return hist.masked_fill(~keep, -1)
