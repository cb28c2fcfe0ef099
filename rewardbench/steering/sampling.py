"""Sampling completions and scoring their tokens: the one code path every policy is evaluated through."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rewardbench.runtime.lm import Sampling, encode_contexts, left_pad, score_spans
from rewardbench.tasks.spec import GenerationSpec


@dataclass(frozen=True)
class Sample:
    """One sampled completion of one prompt."""

    prompt_index: int  #: index into the prompt list given to the sampler
    prompt_ids: tuple[int, ...]  #: the prompt's token ids
    completion_ids: tuple[int, ...]  #: sampled token ids up to and including eos (if one was sampled)
    text: str  #: the completion decoded without special tokens
    #: with ``sample(..., logprobs=True)``: each completion token's log-prob under the distribution it was drawn
    #: from (the model's logits after ``generate``'s processors), read off the sampling pass itself; not part of
    #: the sample's identity (equality and hashing ignore it)
    logprobs: tuple[float, ...] | None = field(default=None, compare=False)


def generation_kwargs(gen: GenerationSpec, tokenizer: Any) -> dict[str, Any]:
    """``model.generate`` keyword arguments for the task's sampling settings."""
    return {
        "do_sample": True,
        "max_new_tokens": gen.max_new_tokens,
        "temperature": gen.temperature,
        "top_k": gen.top_k,
        "top_p": gen.top_p,
        "repetition_penalty": gen.repetition_penalty,
        "pad_token_id": tokenizer.pad_token_id,
        "eos_token_id": tokenizer.eos_token_id,
    }


def encode_prompts(tokenizer: Any, prompts: Sequence[str]) -> list[list[int]]:
    """Prompt token ids, encoded as every scorer encodes a context (:func:`rewardbench.runtime.lm.encode_contexts`)."""
    return encode_contexts(tokenizer, prompts)


def sample(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[str],
    *,
    n: int,
    gen: GenerationSpec,
    seed: int,
    batch_size: int = 32,
    progress: Any = None,
    logprobs: bool = False,
) -> list[Sample]:
    """``n`` completions for each prompt, sampled with ``gen``, in prompt order (seeded: the same call repeats).

    Args:
        progress: optional callable ``progress(k)`` told how many samples each batch produced.
        logprobs: also keep each completion token's log-prob under the sampling distribution in
            :attr:`Sample.logprobs` (from ``generate``'s processed scores: what :func:`token_logprobs` with
            ``gen.sampling()`` computes in a second forward pass, to float rounding; the samples are the same).
    """
    import torch

    device = next(model.parameters()).device
    encoded = encode_prompts(tokenizer, prompts)
    jobs = [(i, ids) for i, ids in enumerate(encoded) for _ in range(n)]
    kwargs = generation_kwargs(gen, tokenizer)
    torch.manual_seed(seed)
    out: list[Sample] = []
    for start in range(0, len(jobs), batch_size):
        chunk = jobs[start : start + batch_size]
        # left padding: generation continues right after the prompt
        batch = left_pad(tokenizer, [ids for _, ids in chunk])
        width = batch["input_ids"].shape[1]
        with torch.no_grad():
            generated = model.generate(
                **batch.to(device), **kwargs, return_dict_in_generate=True, output_scores=logprobs
            )
        tokens = generated.sequences
        drawn = _drawn_logprobs(generated.scores, tokens[:, width:]) if logprobs else None
        for row, (index, ids) in enumerate(chunk):
            completion = _strip(tokens[row, width:].tolist(), tokenizer)
            out.append(
                Sample(
                    index,
                    tuple(ids),
                    tuple(completion),
                    tokenizer.decode(completion, skip_special_tokens=True),
                    None if drawn is None else tuple(drawn[row][: len(completion)]),
                )
            )
        if progress is not None:
            progress(len(chunk))
    return out


def _drawn_logprobs(scores: Sequence[Any], new_tokens: Any) -> list[list[float]]:
    """Log-prob of each generated token under the processed scores it was drawn from: ``(batch, steps)`` lists."""
    import torch

    columns = [
        torch.log_softmax(step.float(), dim=-1).gather(1, new_tokens[:, t : t + 1].to(step.device)).squeeze(1).cpu()
        for t, step in enumerate(scores)
    ]
    return torch.stack(columns, dim=1).tolist() if columns else [[] for _ in range(len(new_tokens))]


def _strip(ids: list[int], tokenizer: Any) -> list[int]:
    """Completion ids up to and including the first eos; the padding after it removed."""
    eos = tokenizer.eos_token_id
    if eos in ids:
        return ids[: ids.index(eos) + 1]
    if tokenizer.pad_token_id != eos:
        while ids and ids[-1] == tokenizer.pad_token_id:
            ids = ids[:-1]
    return ids


def token_logprobs(
    model: Any, samples: Sequence[Sample], *, sampling: Sampling | None = None, batch_size: int = 16
) -> list[list[float]]:
    """Log-probability of each completion token under ``model``, or under what sampling with ``sampling`` draws.

    With ``sampling`` (``GenerationSpec.sampling()`` of the task) the logits go through the same repetition penalty,
    temperature, top-k and top-p as :func:`sample`, so the log-probs are those of the real sampling distribution
    (``-inf`` for a token that distribution cannot draw). Scored by :func:`rewardbench.runtime.lm.score_spans`
    (length-sorted batches, output head on completion positions only); a completion with no tokens gives ``[]``.
    """
    scored = [i for i, s in enumerate(samples) if s.completion_ids]
    sequences = [list(samples[i].prompt_ids) + list(samples[i].completion_ids) for i in scored]
    spans = [[(len(samples[i].prompt_ids), len(seq))] for i, seq in zip(scored, sequences)]
    results: list[list[float]] = [[] for _ in samples]
    pad_id = getattr(model.config, "pad_token_id", None) or 0
    for i, span_scores in zip(
        scored, score_spans(model, sequences, spans, pad_id=pad_id, batch_size=batch_size, sampling=sampling)
    ):
        results[i] = list(span_scores[0].token_logprobs)
    return results
