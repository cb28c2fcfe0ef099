"""fp32 against bf16 in one run: matmul limits, reward scoring speed and ranking agreement, and the log-prob error
that decides the precision of the harness's KL and perplexity measurements.

Training s/step in both precisions comes from :func:`rewardbench.bench.training.measure_policy` (the training part
runs every trainer once per precision); this module measures the rest.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from rewardbench.bench.measure import count_flops, matmul_limit, time_call

#: model-backed rewards timed in both precisions, with their options
SCORED = {
    "sentiment-minilm-tweets": {"target": "negative"},
    "inverse-perplexity": {},
}


def pairwise_agreement(a: list[float], b: list[float]) -> float:
    """Fraction of item pairs that ``a`` and ``b`` order the same way (a tie must be a tie in both)."""
    same = total = 0
    for i, j in itertools.combinations(range(len(a)), 2):
        total += 1
        same += (a[i] > a[j]) - (a[i] < a[j]) == (b[i] > b[j]) - (b[i] < b[j])
    return same / total if total else float("nan")


def limits() -> dict[str, dict[str, Any]]:
    """The fp32 and bf16 matmul limits of this machine, measured now."""
    import torch

    return {"fp32": matmul_limit(torch.float32), "bf16": matmul_limit(torch.bfloat16)}


def scoring(
    texts: list[str], limit: dict[str, dict[str, Any]], *, batch: int = 64, echo: Callable[[str], None] = print
) -> list[dict[str, Any]]:
    """Each model-backed reward in :data:`SCORED` at ``batch`` texts per call in fp32 and in bf16: texts/s, the
    fraction of the matching matmul limit, and how often bf16 orders two texts as fp32 does."""
    from rewardbench.rewards import load_reward
    from rewardbench.runtime import models

    rows = []
    items = texts[:batch]
    for reward_id, options in SCORED.items():
        row: dict[str, Any] = {"reward": reward_id, "batch": batch, "texts": len(items)}
        all_scores = {}
        for precision, dtype in (("fp32", "float32"), ("bf16", "bfloat16")):
            reward = load_reward(reward_id, dtype=dtype, **options)
            # every text, for the agreement; it also loads the model outside the timing
            all_scores[precision] = reward(prompts=[""] * len(texts), completions=texts)

            def call(reward: Any = reward) -> list[float]:
                return reward(prompts=[""] * len(items), completions=items)

            timing = time_call(call, repeats=3, min_seconds=1.0)
            flops = count_flops(call)
            row[precision] = {
                "texts_per_s": len(items) / timing.best,
                "limit_fraction": flops / timing.best / limit[precision]["flops_per_s"],
            }
            models.clear_cache()
        row["speedup"] = row["bf16"]["texts_per_s"] / row["fp32"]["texts_per_s"]
        row["pairwise_agreement"] = pairwise_agreement(all_scores["fp32"], all_scores["bf16"])
        row["agreement_texts"] = len(texts)
        row["max_abs_diff"] = max(abs(x - y) for x, y in zip(all_scores["fp32"], all_scores["bf16"]))
        rows.append(row)
        echo(
            f"    {reward_id}: fp32 {row['fp32']['texts_per_s']:.1f} texts/s, bf16 {row['bf16']['texts_per_s']:.1f} "
            f"({row['speedup']:.2f}x); ranking agreement {row['pairwise_agreement']:.4f}"
        )
    return rows


def logprob_error(texts: list[str], spec: str = "embedded:smollm2-135m") -> dict[str, Any]:
    """How far bf16 token log-probs of ``texts`` under ``spec`` are from fp32: the error a bf16 KL or perplexity
    measurement would carry (per token, and summed over each text as the KL's k1 sums them)."""
    import torch

    from rewardbench.runtime import models
    from rewardbench.runtime.lm import encode_pairs, max_positions, score_pairs

    tok = models.load_tokenizer(spec)
    per_dtype = {}
    for name, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
        model = models.load_causal_lm(spec, dtype=dtype)
        pairs = encode_pairs(tok, [""] * len(texts), texts, max_positions(model, tok))
        per_dtype[name] = score_pairs(model, pairs, pad_id=tok.pad_token_id)
        models.clear_cache()
    token_diffs = [
        abs(x - y)
        for a, b in zip(per_dtype["fp32"], per_dtype["bf16"])
        for x, y in zip(a.token_logprobs, b.token_logprobs)
    ]
    seq_diffs = [abs(a.logprob_sum - b.logprob_sum) for a, b in zip(per_dtype["fp32"], per_dtype["bf16"])]
    return {
        "model": spec,
        "texts": len(texts),
        "tokens": len(token_diffs),
        "mean_abs_token_diff": sum(token_diffs) / len(token_diffs),
        "max_abs_token_diff": max(token_diffs),
        "mean_abs_sequence_diff": sum(seq_diffs) / len(seq_diffs),
        "max_abs_sequence_diff": max(seq_diffs),
    }
