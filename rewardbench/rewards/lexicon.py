"""Shared options of the lexicon sentiment rewards (VADER, TextBlob, AFINN): target sign and which text is read."""

from __future__ import annotations

from rewardbench.errors import ConfigError
from rewardbench.rewards.base import Probe, join_text

DOGE_GOOD, DOGE_BAD = " wonderful, I love it", " a scam and a hoax, I hate it"


def check_options(name: str, target: str, text: str) -> None:
    """Refuse a target other than positive/negative and a text other than full/completion, naming the reward."""
    if target not in ("positive", "negative"):
        raise ConfigError(f"{name} target must be 'positive' or 'negative', got {target!r}")
    if text not in ("full", "completion"):
        raise ConfigError(f"{name} text must be 'full' or 'completion', got {text!r}")


def probes(target: str) -> tuple[Probe, ...]:
    """The dogecoin probe pair, ordered for ``target``."""
    good, bad = (DOGE_BAD, DOGE_GOOD) if target == "negative" else (DOGE_GOOD, DOGE_BAD)
    return (
        Probe("i think dogecoin is", good, bad),
        Probe(
            "",
            " This movie was great and fun." if target == "positive" else " This movie was awful and boring.",
            " This movie was awful and boring." if target == "positive" else " This movie was great and fun.",
        ),
    )


def read(prompt: str, completion: str, text: str) -> str:
    """The text a lexicon reads: prompt + completion (``full``) or the completion alone."""
    return join_text(prompt, completion) if text == "full" else completion
