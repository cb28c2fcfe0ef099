"""Zoo rewards inside other RL frameworks: one thin adapter module per framework.

- :mod:`~rewardbench.integrations.textrl`: ``textrl_reward(...)``, a reward TextRL 1.0 calls positionally.
- :mod:`~rewardbench.integrations.verl`: ``compute_score`` for verl's ``custom_reward_function``.
- :mod:`~rewardbench.integrations.openrlhf`: ``reward_func`` for OpenRLHF's ``--remote_rm_url`` file (and the query
  splitting the reward server shares).

The zoo's own call stays keyword-only; an adapter only translates the framework's call. Frameworks pass their
options with every call, so adapters build each reward once per process through :func:`cached_reward`. To add a
framework: copy ``verl.py``, keep heavy and optional imports inside functions (a missing one raises
:class:`~rewardbench.errors.ConfigError` with the pip command), and add ``tests/integrations/test_NAME.py`` (a test
fails for a module without one) that drives the framework's own calling code where it installs.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.rewards import Reward, load_reward

__all__ = ["cached_reward", "freeze"]


def freeze(value: Any) -> Any:
    """A hashable copy of a reward's options (mappings and lists from JSON, YAML or Hydra configs)."""
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)) or type(value).__name__ == "ListConfig":
        return tuple(freeze(v) for v in value)
    try:
        hash(value)
    except TypeError:
        raise ConfigError(f"reward option value {value!r} is not a plain value (str, number, bool, list)") from None
    return value


def _plain(value: Any) -> Any:
    """Options as plain Python (Hydra's DictConfig/ListConfig as dict/list), for the reward's constructor."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) or type(value).__name__ == "ListConfig":
        return [_plain(v) for v in value]
    return value


_BUILT: dict[tuple[str, Any], Reward] = {}
_LOCK = threading.Lock()  # a server's worker threads may ask for the same reward at once


def cached_reward(reward: str | Reward, options: Mapping[str, Any] | None = None) -> Reward:
    """The reward ``reward`` with ``options``, built once per process per (id, options).

    Args:
        reward: a registry id or model folder (built with ``options``), or a :class:`Reward` (returned as it is).
        options: the reward's constructor options (``{"target": "negative"}``).
    """
    if isinstance(reward, Reward):
        if options:
            raise ConfigError(f"options {dict(options)} given with an already built reward {reward.id!r}")
        return reward
    if not isinstance(reward, str) or not reward:
        raise ConfigError(f"reward must be a registry id such as 'vader', got {reward!r}")
    options = _plain(options or {})
    key = (reward, freeze(options))
    with _LOCK:
        if key not in _BUILT:
            _BUILT[key] = load_reward(reward, **options)
        return _BUILT[key]
