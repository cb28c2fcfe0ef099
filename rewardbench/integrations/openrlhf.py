"""OpenRLHF: a ``reward_func(queries, prompts, labels)`` for ``--remote_rm_url`` (a ``.py`` file), and the query
splitting that ``rewardbench serve``'s OpenRLHF route shares.

OpenRLHF's ``SingleTurnAgentExecutor`` (``openrlhf/utils/agent.py``) loads ``reward_func`` from the file and calls
it with one sample at a time in a thread; over HTTP it POSTs ``{"query", "prompts", "labels"}``. Either way it
reads ``rewards`` (and ``scores``, ``extra_logs``) from the returned dict. A reward file is two lines::

    from rewardbench.integrations.openrlhf import reward_func_for
    reward_func = reward_func_for("sentiment-minilm-tweets", target="negative", strip=["<|im_end|>"])

What is scored: OpenRLHF's ``query`` is the prompt plus the response decoded with special tokens kept. The
response is the query after its ``prompts`` entry; a query that does not start with its prompt (a truncated or
re-tokenised prompt) is refused, never guessed at. Each string of ``strip`` (special tokens such as an end of
sequence) is removed from the response's end, repeatedly; the reward then scores the prompt and that response.
``labels`` are not used.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.integrations import cached_reward
from rewardbench.rewards import Reward

__all__ = ["reward_func", "reward_func_for", "split_queries"]

RewardFunc = Callable[[Sequence[str], Sequence[str], Sequence[Any]], dict[str, Any]]


def split_queries(queries: Sequence[str], prompts: Sequence[str], strip: Sequence[str] = ()) -> list[str]:
    """The response of each query (``prompt + response``), with trailing ``strip`` strings removed.

    Raises:
        ConfigError: lengths differ, or a query does not start with its prompt (it names the sample).
    """
    if len(queries) != len(prompts):
        raise ConfigError(f"got {len(queries)} queries and {len(prompts)} prompts; each query needs its prompt")
    responses = []
    for i, (query, prompt) in enumerate(zip(queries, prompts)):
        if not isinstance(query, str) or not isinstance(prompt, str):
            raise ConfigError(f"sample {i}: query and prompt must be strings")
        if not query.startswith(prompt):
            raise ConfigError(
                f"sample {i}: the query does not start with its prompt, so the response cannot be split off "
                f"(query {query[:60]!r}, prompt {prompt[:60]!r})"
            )
        responses.append(_strip_end(query[len(prompt) :], strip))
    return responses


def _strip_end(text: str, strip: Sequence[str]) -> str:
    tokens = [t for t in strip if t]
    while any(text.endswith(t) for t in tokens):
        text = text[: -len(next(t for t in tokens if text.endswith(t)))]
    return text


def score_queries(
    reward: Reward, queries: Sequence[str], prompts: Sequence[str], strip: Sequence[str] = ()
) -> dict[str, Any]:
    """OpenRLHF's reply for a batch: ``{"rewards": [...], "scores": [...], "extra_logs": {id: [...]}}``."""
    scores = reward(prompts=list(prompts), completions=split_queries(queries, prompts, strip))
    return {"rewards": scores, "scores": scores, "extra_logs": {reward.id: scores}}


def reward_func_for(reward: str | Reward, *, strip: Sequence[str] = (), **options: Any) -> RewardFunc:
    """A ``reward_func(queries, prompts, labels)`` scoring with ``reward`` (built once per process per options)."""
    built = cached_reward(reward, options)
    strip = tuple(strip)

    def reward_func(queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any]) -> dict[str, Any]:
        return score_queries(built, queries, prompts, strip)

    return reward_func


def reward_func(queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any]) -> dict[str, Any]:
    """This module as the reward file itself: ``--remote_rm_url $(python -c "import
    rewardbench.integrations.openrlhf as m; print(m.__file__)")`` with the reward in ``REWARDBENCH_REWARD`` and
    its options (JSON, ``strip`` among them) in ``REWARDBENCH_OPTIONS``."""
    reward = os.environ.get("REWARDBENCH_REWARD")
    if not reward:
        raise ConfigError("set REWARDBENCH_REWARD to a reward id (and REWARDBENCH_OPTIONS to its JSON options)")
    try:
        options = json.loads(os.environ.get("REWARDBENCH_OPTIONS") or "{}")
    except json.JSONDecodeError as exc:
        raise ConfigError(f"REWARDBENCH_OPTIONS is not JSON: {exc}") from None
    strip = options.pop("strip", ())
    return score_queries(cached_reward(reward, options), queries, prompts, strip)
