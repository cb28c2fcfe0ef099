"""Exceptions raised by rewardbench, each with a message a user can act on."""

from __future__ import annotations


class RewardBenchError(Exception):
    """Base class of every error rewardbench raises on purpose."""


class UnknownIdError(RewardBenchError, KeyError):
    """An id that no registry knows; the message lists close matches."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class ConfigError(RewardBenchError, ValueError):
    """A configuration value (task file, CLI option, reward option) that cannot be used."""


class ModelSourceError(RewardBenchError, OSError):
    """A model or data set that cannot be found or loaded from where it was asked for."""


class RewardError(RewardBenchError, RuntimeError):
    """A reward that produced an unusable value (NaN, inf) for a given text."""
