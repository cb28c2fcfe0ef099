"""Every registered reward as a Hugging Face ``evaluate`` measurement, loaded from a local module (no hub).

    >>> import evaluate, rewardbench
    >>> vader = evaluate.load(rewardbench.evaluate_module("vader"), options={"target": "negative"})
    >>> vader.compute(prompts=["i think dogecoin is"], completions=[" a scam"])
    {'scores': [0.5...]}

``evaluate_module(ID)`` writes a two-line module for that reward (``$REWARDBENCH_HOME/evaluate/ID/ID.py``, which
``evaluate.load`` copies and imports) and returns its folder; the measurement class itself is built here by
:func:`measurement_class`, so its scores are the reward's own. Inputs: ``completions`` and optionally ``prompts``
(strings); any other keyword argument of ``compute`` (``documents``, ``control_codes``) goes to the reward as a
column. Options of the reward (``target``, ``mode``, ``model``, ...) go to ``evaluate.load(..., options={...})``.
"""

from __future__ import annotations

import re
from typing import Any

from rewardbench.extras import optional_import
from rewardbench.rewards import REWARDS, load_reward
from rewardbench.runtime.paths import home

_MODULE = '''"""rewardbench's {rid!r} reward as a Hugging Face evaluate measurement (rewardbench.evaluate_module)."""

from rewardbench.rewards.measurement import measurement_class

{cls} = measurement_class({rid!r})
'''


def evaluate_module(reward_id: str) -> str:
    """The folder of a local ``evaluate`` module for ``reward_id``: pass it to ``evaluate.load``.

    Raises:
        UnknownIdError: for an id that is not registered (with close matches).
    """
    REWARDS.get(reward_id)
    name = re.sub(r"\W", "_", reward_id)
    folder = home() / "evaluate" / name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    text = _MODULE.format(rid=reward_id, cls=_class_name(reward_id))
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return str(folder)


def _class_name(reward_id: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"\W|_", reward_id) if part) + "Measurement"


def measurement_class(reward_id: str) -> type:
    """An ``evaluate.Measurement`` subclass whose ``compute`` returns ``{"scores": reward(...)}``."""
    evaluate = optional_import("evaluate", "evaluate", "evaluate.load(rewardbench.evaluate_module(...))")
    import datasets

    class RewardMeasurement(evaluate.Measurement):
        def __init__(self, *args: Any, options: dict[str, Any] | None = None, **kwargs: Any) -> None:
            self.reward = load_reward(reward_id, **(options or {}))
            super().__init__(*args, **kwargs)

        def _info(self) -> evaluate.MeasurementInfo:
            card = self.reward.card
            return evaluate.MeasurementInfo(
                module_type="measurement",
                description=f"rewardbench reward {card.id!r} v{card.version}: {card.measures} (range {card.range})",
                citation=card.citation,
                inputs_description="completions: list of str; prompts: list of str (optional)",
                # prompts and reward columns are keyword arguments of compute, passed through to the reward
                features=datasets.Features({"completions": datasets.Value("string")}),
            )

        def _compute(self, completions: list[str], prompts: list[str] | None = None, **columns: Any) -> dict:
            return {"scores": self.reward(prompts=prompts, completions=completions, **columns)}

    RewardMeasurement.__name__ = RewardMeasurement.__qualname__ = _class_name(reward_id)
    return RewardMeasurement
