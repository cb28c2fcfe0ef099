"""Run a tiny grid in this process and SIGKILL it at a chosen point (tests/steering/test_reliability.py).

    python fault_run.py TASK_YAML OUT POLICY[,POLICY...] [FAULT]

FAULT is ``WHERE:N``: kill on the N-th call of WHERE (train: a training-curve row; eval: an evaluation point
stored; checkpoint: a checkpoint written but not yet renamed into place; result: a run file about to be written;
report: the report about to be written). Without FAULT the grid runs to the end. The cells run in this process
(``--jobs 1``): the faults and the test reward are installed here only.
"""

from __future__ import annotations

import os
import signal
import sys

from rewardbench.rewards import REWARDS
from tests.conftest import contains_word_reward


def _kill_on(owner: object, name: str, n: int, before: bool = True) -> None:
    original = getattr(owner, name)
    calls = [0]

    def wrapped(*args, **kwargs):
        calls[0] += 1
        if before and calls[0] == n:
            os.kill(os.getpid(), signal.SIGKILL)
        result = original(*args, **kwargs)
        if not before and calls[0] == n:
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(owner, name, wrapped)


def main() -> None:
    task, out, policies = sys.argv[1], sys.argv[2], tuple(sys.argv[3].split(","))
    fault = sys.argv[4] if len(sys.argv) > 4 else ""
    if fault:
        where, n = fault.split(":")
        from rewardbench.policies import base, checkpoints
        from rewardbench.steering import harness, report

        if where == "train":
            _kill_on(base.Policy, "record", int(n))
        elif where == "eval":
            _kill_on(harness.Points, "add", int(n), before=False)
        elif where == "checkpoint":  # the staging folder is written, the rename never happens
            _kill_on(checkpoints, "_move", int(n))
        elif where == "result":
            _kill_on(harness, "write_run", int(n))
        elif where == "report":
            _kill_on(report, "write_text_atomic", int(n))
    REWARDS.register("test-contains-scam", lambda **_: contains_word_reward("scam"))
    from rewardbench.cli import main as cli

    sys.exit(
        cli(
            ["run", "--task", task, "--out", out, "--no-progress", "--jobs", "1"]
            + [a for p in policies for a in ("--policy", p)]
        )
    )


if __name__ == "__main__":
    main()
