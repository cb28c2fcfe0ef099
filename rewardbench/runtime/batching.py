"""Length-bucketed batching: group texts of similar token length so padding wastes little of each forward pass."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

#: Padded tokens per forward pass, by device type. On a CPU, batches of a few hundred tokens already keep the
#: matrix multiplies efficient, and smaller groups pad less; a GPU wants large batches.
DEFAULT_MAX_TOKENS = {"cpu": 512, "cuda": 65536}


def default_max_tokens(device: Any) -> int:
    """The padded-token budget of one forward pass on ``device`` (a ``torch.device``)."""
    return DEFAULT_MAX_TOKENS.get(getattr(device, "type", str(device)), DEFAULT_MAX_TOKENS["cuda"])


def length_groups(lengths: Sequence[int], *, max_batch: int, max_tokens: int) -> list[list[int]]:
    """Indices grouped for padded batches.

    Items are sorted by length; a group holds at most ``max_batch`` items and at most ``max_tokens`` tokens once
    padded to its longest member (an item longer than the budget gets a group of its own).
    """
    if max_batch < 1 or max_tokens < 1:
        raise ValueError(f"max_batch and max_tokens must be >= 1, got {max_batch} and {max_tokens}")
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    groups: list[list[int]] = []
    current: list[int] = []
    for i in order:  # ascending, so item i is the longest of the group it joins
        if current and (len(current) >= max_batch or (len(current) + 1) * lengths[i] > max_tokens):
            groups.append(current)
            current = []
        current.append(i)
    if current:
        groups.append(current)
    return groups


def map_groups(
    items: Sequence[T],
    lengths: Sequence[int],
    score_group: Callable[[list[T]], Sequence[Any]],
    *,
    max_batch: int,
    max_tokens: int,
) -> list[Any]:
    """``score_group`` over length groups of ``items``; results come back in the original order."""
    out: list[Any] = [None] * len(items)
    for group in length_groups(lengths, max_batch=max_batch, max_tokens=max_tokens):
        values = score_group([items[i] for i in group])
        if len(values) != len(group):
            raise RuntimeError(f"a batch of {len(group)} items gave {len(values)} results")
        for i, value in zip(group, values):
            out[i] = value
    return out
