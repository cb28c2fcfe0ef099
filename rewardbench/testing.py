"""Public conformance checks for rewards (as Gymnasium's ``check_env`` is for environments)."""

from __future__ import annotations

import math
import pickle
from typing import Any

DEFAULT_PROMPTS = ["i think dogecoin is", "The movie was", "", "Today the weather"]
DEFAULT_COMPLETIONS = [" a scam and a hoax.", " wonderful and moving, I loved every minute.", "", " is sunny."]


class ConformanceError(AssertionError):
    """A reward that breaks the reward protocol."""


def check_reward(
    reward: Any,
    prompts: list[str] | None = None,
    completions: list[str] | None = None,
    *,
    atol: float = 1e-4,
    **kwargs: Any,
) -> list[float]:
    """Check a reward against the protocol; returns its scores on the sample.

    Checks: keyword-only calls (positional refused), one finite float per completion, batch-order invariance,
    batch-size invariance within ``atol`` (each text scored alone), an empty completion handled, determinism,
    mismatched lengths refused, a pickled copy (made before the first call and again after scoring, so before and
    after a lazy model has loaded) scoring equal, and TRL's conversational format scored as the same text: a
    prompt ``p`` sent as the chat ``[{"role": "user", "content": p}]`` with the completion ``c`` as
    ``[{"role": "assistant", "content": c}]`` scores as the strings ``p + "\\n"`` and ``c`` do (``c``
    without leading spaces, as chat replies come). ``kwargs`` are extra columns passed with every call (e.g.
    ``documents``).

    Raises:
        ConformanceError: with the first broken rule.
    """
    prompts = list(DEFAULT_PROMPTS if prompts is None else prompts)
    completions = list(DEFAULT_COMPLETIONS if completions is None else completions)
    if "" not in completions:
        raise ValueError("the sample must contain an empty completion")

    fresh = _pickled(reward)  # before any scoring call: the model, if any, is not loaded yet
    try:
        reward(prompts, completions)
    except TypeError:
        pass
    else:
        raise ConformanceError("positional call was accepted; rewards must be keyword-only")

    scores = reward(prompts=prompts, completions=completions, **kwargs)
    _expect(
        isinstance(scores, list) and len(scores) == len(completions),
        f"expected a list of {len(completions)} scores, got {scores!r}",
    )
    _expect(
        all(isinstance(s, float) and math.isfinite(s) for s in scores), f"non-finite or non-float scores: {scores}"
    )

    again = reward(prompts=prompts, completions=completions, **kwargs)
    _close(scores, again, 0.0, "not deterministic: two identical calls differ")

    order = list(reversed(range(len(completions))))
    shuffled = reward(
        prompts=[prompts[i] for i in order],
        completions=[completions[i] for i in order],
        **{k: [v[i] for i in order] for k, v in kwargs.items()},
    )
    _close(scores, [shuffled[order.index(i)] for i in range(len(order))], atol, "depends on batch order")

    singles = [
        reward(prompts=[p], completions=[c], **{k: [v[i]] for k, v in kwargs.items()})[0]
        for i, (p, c) in enumerate(zip(prompts, completions))
    ]
    _close(scores, singles, atol, "depends on batch size (batched vs one at a time)")

    replies = [c.lstrip() for c in completions]  # chat replies carry no leading space to separate them from the prompt
    chat = reward(
        prompts=[[{"role": "user", "content": p}] for p in prompts],
        completions=[[{"role": "assistant", "content": c}] for c in replies],
        **kwargs,
    )
    as_lines = reward(prompts=[p + "\n" for p in prompts], completions=replies, **kwargs)
    _close(as_lines, chat, atol, "scores a chat conversation differently from the same text as strings")

    for when, copy in (("before", fresh), ("after", _pickled(reward))):
        if isinstance(copy, Exception):
            raise ConformanceError(
                f"not picklable {when} its first call ({type(copy).__name__}: {copy}); TRL's async GRPO rollout hands "
                "reward functions to a spawned process"
            )
        restored = pickle.loads(copy)
        _close(
            scores,
            restored(prompts=prompts, completions=completions, **kwargs),
            0.0,
            f"a copy pickled {when} its first call scores differently",
        )

    try:
        reward(prompts=prompts[:-1], completions=completions, **kwargs)
    except ValueError:
        pass
    else:
        raise ConformanceError("mismatched prompts/completions lengths were accepted")
    return scores


def _pickled(reward: Any) -> bytes | Exception:
    try:
        return pickle.dumps(reward)
    except Exception as exc:  # noqa: BLE001 - any failure to pickle is the finding, reported by the caller
        return exc


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise ConformanceError(message)


def _close(a: list[float], b: list[float], atol: float, message: str) -> None:
    worst = max(abs(x - y) for x, y in zip(a, b))
    _expect(worst <= atol, f"{message} (max difference {worst:.3g} > {atol})\n  {a}\n  {b}")
