"""Helpers every verb module shares: option parsing, the subparser with examples, one-line descriptions."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from typing import Any

from rewardbench.errors import RewardBenchError


def parse_value(text: str) -> Any:
    """An option value from the command line: JSON when it parses (numbers, booleans, lists), else the string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def parse_options(pairs: Sequence[str]) -> dict[str, Any]:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise RewardBenchError(f"--option expects KEY=VALUE, got {pair!r}")
        options[key.replace("-", "_")] = parse_value(value)
    return options


def first_sentence(source: Any) -> str:
    """The first sentence of a docstring (or of a string), for one-line listings."""
    text = " ".join((source if isinstance(source, str) else (source.__doc__ or "")).split())
    return re.split(r"(?<=\.)\s+(?=[A-Z])", text, maxsplit=1)[0]


def verb(sub: Any, name: str, help: str, *examples: str) -> argparse.ArgumentParser:
    """A subcommand whose ``--help`` ends with ``examples``."""
    return sub.add_parser(
        name,
        help=help,
        epilog="examples:\n" + "\n".join(f"  {c}" for c in examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def precision_argument(parser: argparse.ArgumentParser, what: str) -> None:
    from rewardbench.runtime.precision import PRECISIONS

    parser.add_argument(
        "--precision",
        default="auto",
        choices=PRECISIONS,
        help=f"{what}: auto (default: fp32 on a CPU, bf16 mixed precision on a CUDA GPU with bf16), fp32, or bf16 "
        "(a CPU's bf16 moves the KL a policy reaches, so a board never pools it with fp32)",
    )
