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
    A recipe with ``lora_r > 0`` trains low-rank adapters on every linear layer of the encoder's blocks and the
    pooler and classification head in full (peft), over the frozen encoder; otherwise every weight is trained.

    Returns the model (eval mode; a peft model with LoRA), its tokenizer and a log of (step, loss) every 50 steps.
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
    if getattr(recipe, "lora_r", 0):
        model = _with_lora(model, recipe)
    model.train()
    label_ids = torch.tensor([labels.index(e.label) for e in examples])
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=recipe.lr, weight_decay=recipe.weight_decay)
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
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        running += loss.item()
        if (step + 1) % 50 == 0:
            log.append([step + 1, round(running / 50, 4)])
            running = 0.0
    return model.eval(), tok, log


def _with_lora(model: Any, recipe: Any) -> Any:
    """``model`` with LoRA adapters of rank ``recipe.lora_r`` on the encoder blocks' linear layers (attention
    query/key/value/output, feed-forward in/out); pooler and classifier trained in full."""
    try:
        from peft import LoraConfig, get_peft_model
    except ImportError as exc:
        from rewardbench.errors import ConfigError

        raise ConfigError("training the classifier's adapters needs peft: pip install 'rewardbench[bench]'") from exc
    config = LoraConfig(
        r=recipe.lora_r,
        lora_alpha=recipe.lora_alpha,
        lora_dropout=0.0,
        target_modules=r".*encoder\.layer\.\d+\..*(query|key|value|dense)",
        modules_to_save=["pooler", "classifier"],
    )
    return get_peft_model(model, config)


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
