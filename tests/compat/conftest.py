"""The compatibility suite runs in its own virtualenv (``make compat``: the core install, the newest TRL, textrl
1.0.0 and openrlhf 0.11.2 installed ``--no-deps``), which sets ``REWARDBENCH_COMPAT=1``. Elsewhere it is skipped."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("REWARDBENCH_COMPAT") == "1":
        return
    skip = pytest.mark.skip(reason="compatibility suite: run by `make compat` in .venv-compat")
    for item in items:
        if "tests/compat/" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(skip)
