"""Prompt sources of the tasks, and their train/held-out split."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.tasks.spec import PromptSpec


@dataclass(frozen=True)
class Prompt:
    """A prompt and the extra columns its reward may need (TRL passes dataset columns to ``reward_funcs``)."""

    text: str
    columns: dict[str, Any] = field(default_factory=dict)


def _length_prefixes(texts: list[str], spec: PromptSpec, tokenizer: Any) -> list[str]:
    """The TRL lab's LengthSampler: each text cut to a seeded random number of tokens in [min, max]."""
    rng = random.Random(spec.split_seed)
    prefixes = []
    for text in texts:
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        n = rng.randint(spec.min_tokens, spec.max_tokens)
        prefix = tokenizer.decode(ids[:n], skip_special_tokens=True).strip()
        if prefix:
            prefixes.append(prefix)
    return prefixes


def _imdb_texts(spec: PromptSpec) -> list[str]:
    from datasets import load_dataset

    dataset = spec.dataset or "stanfordnlp/imdb"
    try:
        rows = load_dataset(dataset, split="train")
    except Exception as exc:  # noqa: BLE001 - datasets raises many types for a missing hub/folder
        raise ConfigError(
            f"could not load the IMDB prompts from {dataset!r} ({exc.__class__.__name__}: {exc}); "
            "without the hub, point prompts.dataset at a local copy (a folder with a 'text' column)"
        ) from exc
    return [r["text"] for r in rows if len(r["text"]) > spec.min_chars]


def _documents(spec: PromptSpec, source: str) -> list[tuple[str, str, str]]:
    """(document, prompt, reference summary) triples: aclsum abstracts with their three aspect summaries (challenge,
    approach, outcome) joined as the reference (embedded), or summarize_from_feedback posts with the summary the
    labeller chose (hub; a post compared several times keeps its first comparison's choice)."""
    if source == "embedded":
        from rewardbench.zoo.data import aclsum_documents

        pairs = [
            (d.text, " ".join(d.summaries[k] for k in ("challenge", "approach", "outcome") if d.summaries.get(k)))
            for split in ("train", "val", "test")
            for d in aclsum_documents(split)
        ]
    else:
        from datasets import load_dataset

        dataset = spec.dataset or "openai/summarize_from_feedback"
        try:
            rows = load_dataset(dataset, "comparisons", split="train")
        except Exception as exc:  # noqa: BLE001
            raise ConfigError(f"could not load documents from {dataset!r} ({exc.__class__.__name__}: {exc})") from exc
        chosen: dict[str, str] = {}
        for r in rows:
            if r["info"].get("post") and r["info"]["post"] not in chosen:
                chosen[r["info"]["post"]] = r["summaries"][int(r["choice"])]["text"]
        pairs = list(chosen.items())
    out = []
    for doc, reference in pairs:
        cut = " ".join(doc.split()[: spec.max_document_words])
        out.append((cut, spec.template.format(document=cut), reference))
    return out


def build_prompts(spec: PromptSpec, source: str, tokenizer: Any) -> tuple[list[Prompt], list[Prompt]]:
    """Training and held-out prompts; the split is seeded by ``spec.split_seed`` and never depends on the run seed."""
    if spec.source == "inline":
        prompts = [Prompt(t) for t in spec.items]
    elif spec.source == "tweets":
        from rewardbench.zoo.data import tweets

        texts = [t.text for t in tweets("heldout")]
        prompts = [Prompt(t) for t in _length_prefixes(texts, spec, tokenizer)]
    elif spec.source == "imdb":
        prompts = [Prompt(t) for t in _length_prefixes(_imdb_texts(spec), spec, tokenizer)]
    elif spec.source == "documents":
        prompts = [Prompt(p, {"documents": d, "references": r}) for d, p, r in _documents(spec, source)]
    else:
        raise ConfigError(f"prompts.source: unknown source {spec.source!r}")
    unique = {p.text: p for p in prompts}  # duplicates would leak between the training and held-out sets
    prompts = sorted(unique.values(), key=lambda p: p.text)
    rng = random.Random(spec.split_seed)
    rng.shuffle(prompts)
    if spec.control_codes:
        prompts = [
            Prompt(f"{spec.control_codes[i % len(spec.control_codes)]} {p.text}", p.columns)
            for i, p in enumerate(prompts)
        ]
    n_heldout = max(1, round(len(prompts) * spec.heldout_fraction))
    if len(prompts) - n_heldout < 1:
        raise ConfigError(f"prompts: only {len(prompts)} prompts; need at least 2 to split into train and held-out")
    return prompts[n_heldout:], prompts[:n_heldout]


def columns_for(prompts: list[Prompt], indices: list[int]) -> dict[str, list[Any]]:
    """Extra reward columns (e.g. ``documents``) for the prompts at ``indices``, TRL-style: one list per column."""
    keys = sorted(set().union(*(p.columns for p in prompts))) if prompts else []
    return {k: [prompts[i].columns.get(k) for i in indices] for k in keys}
