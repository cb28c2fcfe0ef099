"""Fine-tuning and evaluating a sequence classifier on labelled texts (used to build the embedded classifier)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tqdm.auto import tqdm

from rewardbench.runtime.precision import autocast


def train_classifier(
    encoder: str, examples: Sequence[Any], labels: Sequence[str], recipe: Any, *, precision: str = "fp32"
) -> tuple[Any, Any, list]:
    """Train ``AutoModelForSequenceClassification`` from ``encoder`` on ``examples`` (``.text``/``.label``).

    ``precision="bf16"``: bf16 autocast for the forward pass (fp32 weights, gradients and AdamW state).

    Returns the model (eval mode), its tokenizer and a log of (step, loss) every 50 steps.
    """
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup

    torch.manual_seed(recipe.seed)
    tok = AutoTokenizer.from_pretrained(encoder)
    model = AutoModelForSequenceClassification.from_pretrained(
        encoder,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    model.train()
    label_ids = torch.tensor([labels.index(e.label) for e in examples])
    opt = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay)
    sched = get_linear_schedule_with_warmup(opt, recipe.warmup, recipe.steps)
    gen = torch.Generator().manual_seed(recipe.seed)
    order = torch.cat(
        [
            torch.randperm(len(examples), generator=gen)
            for _ in range(recipe.steps * recipe.batch_size // len(examples) + 1)
        ]
    )
    log, running = [], 0.0
    for step in tqdm(range(recipe.steps), desc="train classifier", mininterval=5):
        idx = order[step * recipe.batch_size : (step + 1) * recipe.batch_size]
        enc = tok(
            [examples[i].text for i in idx],
            padding=True,
            truncation=True,
            max_length=recipe.max_length,
            return_tensors="pt",
        )
        with autocast(precision, "cpu"):
            logits = model(**enc).logits
        loss = torch.nn.functional.cross_entropy(logits.float(), label_ids[idx])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        running += loss.item()
        if (step + 1) % 50 == 0:
            log.append([step + 1, round(running / 50, 4)])
            running = 0.0
    return model.eval(), tok, log


def evaluate_classifier(model: Any, tok: Any, examples: Sequence[Any], max_length: int, batch_size: int = 128) -> dict:
    """3-class accuracy, and positive-vs-negative accuracy on the non-neutral examples (argmax of the two logits)."""
    import torch

    id2label = model.config.id2label
    pos = next(i for i, label in id2label.items() if label == "positive")
    neg = next(i for i, label in id2label.items() if label == "negative")
    correct3 = correct2 = total2 = 0
    with torch.inference_mode():
        for start in range(0, len(examples), batch_size):
            batch = examples[start : start + batch_size]
            enc = tok(
                [e.text for e in batch], padding=True, truncation=True, max_length=max_length, return_tensors="pt"
            )
            logits = model(**enc).logits
            for e, row in zip(batch, logits):
                correct3 += id2label[int(row.argmax())] == e.label
                if e.label in ("positive", "negative"):
                    total2 += 1
                    correct2 += ("positive" if row[pos] > row[neg] else "negative") == e.label
    return {
        "accuracy_3class": round(correct3 / len(examples), 4),
        "n_3class": len(examples),
        "accuracy_pos_vs_neg": round(correct2 / total2, 4),
        "n_pos_vs_neg": total2,
    }
