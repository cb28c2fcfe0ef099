"""TextRL 1.0: a zoo reward (or a ``WeightedSum``) as a TextRL reward.

TextRL calls rewards positionally, ``fn(prompts, completions, **columns)`` (``textrl.rewards.base._FnWrap`` and
``_Compose``); the zoo's rewards refuse positional calls, since two swapped lists would fail silently. The adapter
is that one positional call, named after the reward (TextRL's ``compose`` and TRL's logs use the name)::

    import textrl
    from rewardbench.integrations.textrl import textrl_reward

    clf = textrl_reward("sentiment-minilm-tweets", target="negative")
    reward = textrl.compose(clf, textrl.length_penalty, weights=[1.0, 0.1])

It scores exactly what TextRL passes: the prompt and the completion as TRL hands them over (strings, or chat
messages), with TextRL's dataset columns passed on as keyword columns. It needs no import of textrl itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rewardbench.integrations import cached_reward
from rewardbench.rewards import Reward

__all__ = ["TextRLReward", "textrl_reward"]


class TextRLReward:
    """A zoo reward called TextRL's way: ``fn(prompts, completions, **columns) -> list[float]``. Picklable."""

    def __init__(self, reward: Reward) -> None:
        self.reward = reward
        self.name = self.__name__ = reward.id  # TextRL reads .name (compose), TRL reads __name__ (log columns)

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any], **columns: Any) -> list[float]:
        return self.reward(prompts=prompts, completions=completions, **columns)

    def __repr__(self) -> str:
        return f"<TextRLReward {self.reward!r}>"


def textrl_reward(reward: str | Reward, **options: Any) -> TextRLReward:
    """A TextRL reward from a zoo reward id (with its options) or a built reward such as a ``WeightedSum``.

    Args:
        reward: registry id (``rewardbench list rewards``), model folder, or a :class:`Reward`.
        **options: the reward's options (``target="negative"``); the reward is built once per process per options.
    """
    return TextRLReward(cached_reward(reward, options))
