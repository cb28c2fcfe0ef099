"""Hand-built evaluation contexts and run documents for the metric tests."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from rewardbench.steering.metrics import EvalContext
from rewardbench.steering.sampling import Sample
from rewardbench.tasks.prompts import Prompt


def context(
    prompts: list[str], completions: list[tuple[int, str, int]], scores: list[float], **task: Any
) -> EvalContext:
    """A context over ``completions`` given as (prompt index, text, token count)."""
    samples = [Sample(i, (1,), tuple(range(2, 2 + n)), text) for i, text, n in completions]
    fake_task = SimpleNamespace(
        prompts=SimpleNamespace(control_codes=task.get("control_codes", ())),
        judges=(),
        judge_lm={},
        model={},
        generation=SimpleNamespace(temperature=1.0),
    )
    return EvalContext(
        task=fake_task,
        source="embedded",
        policy=SimpleNamespace(id="fake"),
        model=None,
        reward=None,
        train_label="r",
        heldout=[Prompt(p) for p in prompts],
        samples=samples,
        train_scores=scores,
        seed=0,
        stated_kl=task.get("stated"),
        progress=False,
    )


def run(
    policy: str,
    seed: int,
    *,
    train: list[float],
    judges: dict[str, list[float]] | None = None,
    kl: float = 0.0,
    kind: str = "measured",
    prompts: list[int] | None = None,
) -> dict[str, Any]:
    """A final-point view of a run with the keys the metric columns read."""
    mean = sum(train) / len(train)
    kl_block = (
        {"kind": "stated", "bound": kl + 0.5, "estimate": kl, "note": "n"}
        if kind == "stated"
        else {"kind": kind, "k1": {"mean": kl, "ci95": [kl - 1, kl + 1]}, "k3": {"mean": kl / 2}}
    )
    return {
        "policy": {"id": policy},
        "seed": seed,
        "prompt_index": prompts,
        "metrics": {
            "train_reward": {"mean": mean, "values": train, "ci95": [mean - 0.1, mean + 0.1]},
            "judges": {k: {"mean": sum(v) / len(v), "values": v} for k, v in (judges or {}).items()},
            "kl": kl_block,
        },
    }
