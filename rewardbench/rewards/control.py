"""Control-code task reward: one classifier logit turned into three tasks by a [negative]/[neutral]/[positive] code."""

from __future__ import annotations

import re
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.rewards.base import Probe, Reward, RewardCard

CODES = ("negative", "neutral", "positive")
CODE_PATTERN = re.compile(r"^\s*\[(negative|neutral|positive)\]\s*")


def split_code(prompt: str) -> tuple[str | None, str]:
    """(code, prompt without the code) for a prompt like ``"[negative] the movie"``."""
    match = CODE_PATTERN.match(prompt)
    return (match.group(1), prompt[match.end() :]) if match else (None, prompt)


def transform(code: str, logit: float) -> float:
    """The controlled-generation seed's transform: negative -logit, neutral -2|logit| + 4, positive logit."""
    if code == "negative":
        return -logit
    if code == "neutral":
        return -2.0 * abs(logit) + 4.0
    if code == "positive":
        return logit
    raise ConfigError(f"control code must be one of {CODES}, got {code!r}")


class ControlCodeReward(Reward):
    """Multi-task sentiment reward selected by a control code.

    Measures: for code ``negative`` -logit, ``neutral`` -2*|logit| + 4, ``positive`` logit, where logit is the
    ``base`` reward (a positive-sentiment logit) of the text without its code. Range: unbounded (neutral <= 4).
    Higher is better. The code comes from the ``control_codes`` column (TRL passes dataset columns as keyword
    arguments) or from a ``[code]`` prefix of the prompt; a prompt with neither is an error.
    Checkpoint: the base reward's. Citation: TRL's sentiment-control example (von Werra et al.).

    Example:
        >>> from rewardbench.rewards import load_reward
        >>> r = load_reward("control-code")                                          # doctest: +SKIP
        >>> r(prompts=["[negative] the film", "[positive] the film"], completions=[" was dull"] * 2)  # doctest: +SKIP
        [2.1..., -2.1...]
    """

    def __init__(
        self,
        base: Reward | str = "sentiment-minilm-tweets",
        *,
        id: str = "control-code",
        version: int = 1,
        **base_options: Any,
    ) -> None:
        if isinstance(base, str):
            from rewardbench.rewards import load_reward

            base_options.setdefault("target", "positive")
            base_options.setdefault("mode", "logit")
            base_options.setdefault("text", "completion")
            base = load_reward(base, **base_options)
        self.base = base
        super().__init__(
            RewardCard(
                id=id,
                version=version,
                checkpoint=base.card.checkpoint,
                range="(-inf, inf); neutral <= 4",
                measures=f"control-code sentiment task reward over {base.id}",
                citation="TRL sentiment-control notebook (von Werra et al.)",
                probes=(
                    Probe("[negative] i think dogecoin is", " a scam and a hoax, I hate it", " wonderful, I love it"),
                    Probe("[positive] i think dogecoin is", " wonderful, I love it", " a scam and a hoax, I hate it"),
                ),
            )
        )

    def _score(
        self, prompts: list[str], completions: list[str], control_codes: list[str] | None = None, **_: Any
    ) -> list[float]:
        codes, bare = [], []
        for i, prompt in enumerate(prompts):
            code, rest = split_code(prompt)
            code = control_codes[i] if control_codes is not None else code
            if code not in CODES:
                raise ConfigError(
                    f"prompt {i} ({prompt[:60]!r}) has no control code: start it with [negative], [neutral] or "
                    "[positive], or pass control_codes=[...]"
                )
            codes.append(code)
            bare.append(rest)
        logits = self.base(prompts=bare, completions=completions)
        return [transform(c, logit) for c, logit in zip(codes, logits)]


def imdb(**options: Any) -> ControlCodeReward:
    """Control-code reward over lvwerra/distilbert-imdb's positive logit (the seed's setting; hub)."""
    return ControlCodeReward("sentiment-imdb", id="control-code-imdb", **options)
