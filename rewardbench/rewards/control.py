"""Control-code task reward: one classifier logit turned into three tasks by a [negative]/[neutral]/[positive] code."""

from __future__ import annotations

import re
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.rewards.base import Probe, Reward, RewardCard

CODES = ("negative", "neutral", "positive")
SIGNALS = ("auto", "logit", "signed-logit")
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
    ``base`` reward's positive-sentiment score of the prompt without its code plus the completion (``text="full"``,
    as the study scored it; ``text="completion"``: the completion alone). Range: unbounded (neutral <= 4). Higher
    is better. The code comes from the ``control_codes`` column (TRL passes dataset columns as keyword arguments) or
    from a ``[code]`` prefix of the prompt; a prompt with neither is an error.

    The score a code transforms (``signal``): on a binary base (the study's lvwerra/distilbert-imdb) its raw
    positive logit, as the study did; on a 3-class base (the embedded MiniLM) logit(positive) - logit(negative),
    whose 0 means "as positive as negative", so that the neutral target peaks at a neutral text (a raw 3-class
    logit has no neutral 0). ``signal="auto"`` (default) picks by the base's class count; ``"logit"`` or
    ``"signed-logit"`` force one. Checkpoint: the base reward's. Citation: TRL's sentiment-control example.

    Example:
        >>> from rewardbench.rewards import load_reward
        >>> r = load_reward("control-code")
        >>> neg, pos = r(prompts=["[negative] the film", "[positive] the film"], completions=[" was dull"] * 2)
        >>> neg > 0 > pos  # a dull film meets the negative code and misses the positive one
        True
    """

    def __init__(
        self,
        base: Reward | str = "sentiment-minilm-tweets",
        *,
        text: str = "full",
        signal: str = "auto",
        id: str = "control-code",
        version: int | None = None,
        **base_options: Any,
    ) -> None:
        if text not in ("full", "completion"):
            raise ConfigError(f"control-code text must be 'full' or 'completion', got {text!r}")
        if signal not in SIGNALS:
            raise ConfigError(f"control-code signal must be one of {SIGNALS}, got {signal!r}")
        if isinstance(base, str):
            from rewardbench.rewards import load_reward

            base_options.setdefault("target", "positive")
            base_options["mode"] = "logit" if signal == "auto" else signal
            base_options["text"] = "full"  # the prompt this reward passes is already code-stripped (or empty)
            base = load_reward(base, **base_options)
        self.base, self.text, self.signal = base, text, signal
        if version is None:  # v2 scored the code-stripped prompt; v3 follows its base's v2 (the shipped classifier)
            version = 3 if base.id == "sentiment-minilm-tweets" else 2
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
            bare.append(rest if self.text == "full" else "")
        self._resolve_signal()
        logits = self.base(prompts=bare, completions=completions)
        return [transform(c, logit) for c, logit in zip(codes, logits)]

    def _resolve_signal(self) -> None:
        """``signal="auto"`` on a sentiment-classifier base: the signed logit when it has more than two classes."""
        from rewardbench.rewards.sentiment import SentimentReward

        if self.signal == "auto" and isinstance(self.base, SentimentReward):
            self.base.mode = "signed-logit" if self.base.n_labels() > 2 else "logit"
            self.signal = self.base.mode


def imdb(**options: Any) -> ControlCodeReward:
    """Control-code reward over lvwerra/distilbert-imdb's positive logit (the seed's setting; hub)."""
    return ControlCodeReward("sentiment-imdb", id="control-code-imdb", **options)
