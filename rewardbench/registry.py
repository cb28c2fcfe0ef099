"""A generic lazy registry: id -> object, or id -> "module:attr" imported on first use.

Built-ins are a plain mapping (fsspec's ``known_implementations``); other projects add entries through the
entry-point group given at construction, read only when a lookup misses.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
from collections.abc import Iterable, Iterator, Mapping
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

from rewardbench.errors import UnknownIdError

T = TypeVar("T")


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'a' or 'b'?"`` for the close matches of ``value`` among ``choices``, else ``""``."""
    matches = difflib.get_close_matches(value, list(choices), n=5, cutoff=0.5)
    return f"; did you mean {' or '.join(repr(m) for m in matches)}?" if matches else ""


def import_object(path: str) -> Any:
    """Import ``"package.module:attr"`` and return the attribute."""
    module_name, _, attr = path.partition(":")
    if not attr:
        raise ValueError(f"expected 'module:attr', got {path!r}")
    return getattr(importlib.import_module(module_name), attr)


class Registry(Generic[T]):
    """Maps short kebab-case ids to objects, importing them only when asked for.

    Args:
        kind: what the registry holds, used in error messages ("reward", "policy", "task").
        builtins: id -> object or ``"module:attr"`` string.
        entry_point_group: entry-point group scanned for plugins on a miss.
    """

    def __init__(self, kind: str, builtins: Mapping[str, T | str], entry_point_group: str | None = None) -> None:
        self.kind = kind
        self._entries: dict[str, T | str] = dict(builtins)
        self._group = entry_point_group
        self._plugins_loaded = False

    def register(self, id: str, obj: T | str, *, overwrite: bool = False) -> None:
        """Add ``obj`` (or a ``"module:attr"`` path to it) under ``id``."""
        if id in self._entries and not overwrite:
            raise ValueError(f"{self.kind} {id!r} is already registered; pass overwrite=True to replace it")
        self._entries[id] = obj

    def _load_plugins(self) -> None:
        if self._plugins_loaded or self._group is None:
            return
        self._plugins_loaded = True
        for ep in entry_points(group=self._group):
            self._entries.setdefault(ep.name, ep.value)

    def __contains__(self, id: object) -> bool:
        if id in self._entries:
            return True
        self._load_plugins()
        return id in self._entries

    def ids(self) -> list[str]:
        """All registered ids, plugins included, sorted."""
        return sorted(self.in_order())

    def in_order(self) -> list[str]:
        """All registered ids in registration order: the built-ins as listed, then plugins (reports use this order)."""
        self._load_plugins()
        return list(self._entries)

    @contextlib.contextmanager
    def override(self, id: str, obj: T | str) -> Iterator[None]:
        """Register ``obj`` under ``id`` for the duration of a ``with`` block, then restore what was there (tests)."""
        self._load_plugins()
        missing = object()
        previous = self._entries.get(id, missing)
        self._entries[id] = obj
        try:
            yield
        finally:
            if previous is missing:
                del self._entries[id]
            else:
                self._entries[id] = previous

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids())

    def get(self, id: str) -> T:
        """Return the object registered under ``id``, importing it if needed.

        Raises:
            UnknownIdError: ``id`` is not registered; the message lists close matches.
        """
        if id not in self:
            known = self.ids()
            raise UnknownIdError(
                f"{self.kind} {id!r} not found{did_you_mean(id, known)} (known {self.kind}s: {', '.join(known)})"
            )
        entry = self._entries[id]
        if isinstance(entry, str):
            entry = import_object(entry)
            self._entries[id] = entry
        return entry
