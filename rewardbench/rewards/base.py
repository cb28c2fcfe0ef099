"""The reward protocol: keyword-only, batched, validated, NaN-checked, and a drop-in TRL ``reward_funcs`` entry."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rewardbench.errors import RewardError


@dataclass(frozen=True)
class Probe:
    """A pair the reward must order: ``better`` scores above ``worse`` (same prompt for both)."""

    prompt: str
    better: str
    worse: str


@dataclass(frozen=True)
class RewardCard:
    """What a reward measures, for `rewardbench list rewards`, result files and reports."""

    id: str  # registry id, short kebab-case
    version: int  # bumped whenever the scoring changes
    measures: str  # one sentence
    range: str  # e.g. "[0, 1]"
    higher_is_better: bool = True
    checkpoint: str | None = None  # model spec (hub id, local path or embedded:NAME), if any
    citation: str = ""
    probes: tuple[Probe, ...] = field(default_factory=tuple)

    @property
    def offline(self) -> bool:
        """True when the reward needs no model hub."""
        from rewardbench.runtime.models import source_kind

        return self.checkpoint is None or source_kind(self.checkpoint) != "hub"


def _is_chat(item: Any) -> bool:
    return isinstance(item, list) and all(isinstance(m, dict) and "content" in m for m in item)


def _not_text(item: Any) -> TypeError:
    return TypeError(f"each prompt/completion must be a str (or a list of chat messages), got {type(item).__name__}")


def completion_text(item: Any) -> str:
    """A completion as the text a reward judges.

    TRL passes strings, or for conversational data a list of chat messages
    (``[{"role": "assistant", "content": ...}]``). Of a message list, the assistant messages' contents are judged,
    one per line (all messages' when none has the role ``assistant``), so a completion scores the same as a string
    and as a chat message.
    """
    if isinstance(item, str):
        return item
    if not _is_chat(item):
        raise _not_text(item)
    said = [m for m in item if m.get("role") == "assistant"] or item
    return "\n".join(str(m["content"]) for m in said)


def prompt_text(item: Any) -> str:
    """A prompt as text: a string as it is; a conversation as its messages' contents, each ending its own line.

    So ``text="full"`` reads a chat as lines (``"hi\\nawful"``), never as glued words (``"hiawful"``): the completion
    starts on the line after the conversation, as it would after a string prompt ``"hi\\n"``.
    """
    if isinstance(item, str):
        return item
    if not _is_chat(item):
        raise _not_text(item)
    return "".join(f"{m['content']}\n" for m in item)


class Reward:
    """Base class of every reward: subclasses implement ``_score`` on validated string lists.

    Calls are keyword-only and batched: ``reward(prompts=[...], completions=[...]) -> list[float]``. Positional
    calls are refused, since two swapped ``list[str]`` arguments would otherwise fail silently. Extra keyword
    arguments (TRL passes ``completion_ids`` and dataset columns) are accepted and ignored unless the reward uses
    them. Every returned score is checked to be finite; a bad one raises :class:`RewardError` naming its text.
    """

    card: RewardCard

    def __init__(self, card: RewardCard) -> None:
        self.card = card
        self.__name__ = card.id  # TRL names reward_funcs columns after __name__

    @property
    def id(self) -> str:
        return self.card.id

    @property
    def version(self) -> int:
        return self.card.version

    def __call__(
        self, *args: Any, prompts: Sequence[Any] | None = None, completions: Sequence[Any] | None = None, **kwargs: Any
    ) -> list[float]:
        if args:
            raise TypeError(
                f"reward {self.id!r} takes keyword arguments only: reward(prompts=[...], completions=[...])"
            )
        if completions is None:
            raise TypeError(f"reward {self.id!r} needs completions=[...]")
        completions = self._as_texts("completions", completions, completion_text)
        prompts = [""] * len(completions) if prompts is None else self._as_texts("prompts", prompts, prompt_text)
        if len(prompts) != len(completions):
            raise ValueError(
                f"prompts and completions must have the same length, got {len(prompts)} prompts "
                f"and {len(completions)} completions"
            )
        if not completions:
            return []
        scores = [float(s) for s in self._score(prompts, completions, **kwargs)]
        if len(scores) != len(completions):
            raise RewardError(f"reward {self.id!r} returned {len(scores)} scores for {len(completions)} texts")
        for prompt, completion, score in zip(prompts, completions, scores):
            if not math.isfinite(score):
                raise RewardError(
                    f"reward {self.id!r} gave {score} for prompt {prompt[:80]!r} + completion {completion[:80]!r}"
                )
        return scores

    @staticmethod
    def _as_texts(name: str, values: Any, as_text: Callable[[Any], str]) -> list[str]:
        if isinstance(values, str) or not isinstance(values, Sequence):
            raise TypeError(f"{name} must be a list of strings, got {type(values).__name__}")
        try:
            return [as_text(v) for v in values]
        except TypeError as exc:
            raise TypeError(f"{name}: {exc}") from None

    def _score(self, prompts: list[str], completions: list[str], **kwargs: Any) -> list[float]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id!r} v{self.version}>"


def join_text(prompt: str, completion: str) -> str:
    """Prompt + completion as one text, the way the seeds score it."""
    return prompt + completion
