"""Optional dependencies: which extra brings each one, and the one-line error when it is missing.

The core install (``pip install rewardbench``) scores texts: the zoo, its registry, ``check_reward``, the
composition helpers and the verbs that train nothing. Training, evaluation and reports need ``[bench]``; the reward
server needs ``[serve]``. Code that needs an optional module imports it through :func:`optional_import`.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from rewardbench.errors import ConfigError

#: extra -> the import names it provides (what :func:`require_extra` checks)
EXTRAS: dict[str, tuple[str, ...]] = {
    "bench": ("trl", "datasets", "pfrl", "gym", "peft", "sacrebleu", "rouge_score", "matplotlib"),
    "serve": ("starlette", "uvicorn"),
}


def install_hint(extra: str) -> str:
    return f"pip install 'rewardbench[{extra}]'"


def optional_import(module: str, extra: str, needed_by: str) -> ModuleType:
    """``import module``, or a :class:`ConfigError` naming the extra that installs it.

    Args:
        module: the import name (``"spacy"``).
        extra: the extra of pyproject.toml that brings it (``"bench"``).
        needed_by: what needs it, for the message (``"reward 'summary-fill'"``).
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigError(f"{needed_by} needs {module.split('.')[0]}: {install_hint(extra)}") from None


def missing(modules: tuple[str, ...] | list[str]) -> list[str]:
    """The modules of ``modules`` that cannot be imported here (checked without importing them)."""
    return [m for m in modules if importlib.util.find_spec(m) is None]


def require_extra(extra: str, needed_by: str) -> None:
    """Raise a one-line :class:`ConfigError` unless every module of ``extra`` is installed."""
    absent = missing(EXTRAS[extra])
    if absent:
        raise ConfigError(f"{needed_by} needs {', '.join(absent)}: {install_hint(extra)}")
