"""verl: ``compute_score`` for a ``custom_reward_function``, serving the naive and the batch reward manager.

verl's naive manager calls ``compute_score(data_source=, solution_str=, ground_truth=, extra_info=)`` once per
sample; its batch manager calls ``compute_score(data_sources=, solution_strs=, ground_truths=, extra_infos=,
**reward_kwargs)`` once per batch, and verl merges ``custom_reward_function.reward_kwargs`` into every call. The
reward and its options come from those ``reward_kwargs``::

    reward:
      custom_reward_function:
        path: <python -c "import rewardbench.integrations.verl as m; print(m.__file__)">
        name: compute_score
        reward_kwargs: {reward: sentiment-minilm-tweets, options: {target: negative}}

What is scored: ``solution_str`` (verl decodes the response with special tokens skipped) as the completion. verl
passes no prompt; when the data set's ``extra_info`` carries one under ``prompt_key`` (default ``"prompt"``; a
string or chat messages) the reward sees it as the prompt, else the prompt is empty. A ``prompt_key`` given
explicitly must be in every ``extra_info``: a sample without it is refused rather than scored without its prompt.
``data_source`` and ``ground_truth`` are not used. The reward is built once per process per (id, options).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.integrations import cached_reward

__all__ = ["compute_score"]

_DEFAULT_PROMPT_KEY = "prompt"


def compute_score(
    data_source: Any = None,
    solution_str: str | None = None,
    ground_truth: Any = None,
    extra_info: Mapping[str, Any] | None = None,
    *,
    data_sources: Sequence[Any] | None = None,
    solution_strs: Sequence[str] | None = None,
    ground_truths: Sequence[Any] | None = None,
    extra_infos: Sequence[Mapping[str, Any] | None] | None = None,
    reward: str | None = None,
    options: Mapping[str, Any] | None = None,
    prompt_key: str | None = None,
    **unknown: Any,
) -> float | list[float]:
    """One score (naive manager: ``solution_str=``) or one per sample (batch manager: ``solution_strs=``).

    Args:
        reward: the zoo reward id (from ``reward_kwargs``).
        options: the reward's options (from ``reward_kwargs``).
        prompt_key: the ``extra_info`` key holding the prompt (default ``"prompt"``, used when present).
    """
    if unknown:
        raise ConfigError(
            f"verl reward_kwargs: unknown keys {sorted(unknown)}; expected reward, options and prompt_key"
        )
    if reward is None:
        raise ConfigError("verl reward_kwargs needs the reward id, e.g. reward_kwargs: {reward: vader}")
    scorer = cached_reward(reward, options)
    if solution_strs is not None:
        infos = list(extra_infos) if extra_infos is not None else [None] * len(solution_strs)
        if len(infos) != len(solution_strs):
            raise ConfigError(f"verl gave {len(solution_strs)} solution_strs and {len(infos)} extra_infos")
        prompts = [_prompt(info, prompt_key) for info in infos]
        return scorer(prompts=prompts, completions=list(solution_strs))
    if solution_str is None:
        raise ConfigError("compute_score needs solution_str= (naive manager) or solution_strs= (batch manager)")
    return scorer(prompts=[_prompt(extra_info, prompt_key)], completions=[solution_str])[0]


def _prompt(extra_info: Mapping[str, Any] | None, prompt_key: str | None) -> Any:
    info = extra_info or {}
    if prompt_key is not None and prompt_key not in info:
        raise ConfigError(
            f"verl extra_info has no {prompt_key!r} (prompt_key of reward_kwargs); it has {sorted(info)}"
        )
    value = info.get(prompt_key or _DEFAULT_PROMPT_KEY, "")
    return value if isinstance(value, str) else list(value)  # chat messages come from parquet as an array
