"""``--jobs N``: cells in worker processes give the run files of cells run alone; the leaderboard is re-rendered
after every finished cell (partial until the grid is done); the progress line's estimate; a quiet terminal."""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path

import pytest

from rewardbench.steering.grid import duration, eta_seconds
from rewardbench.steering.harness import run
from rewardbench.steering.planning import RunConfig, RunOutcome, RunSpec, default_jobs, plan, threads_per_job
from rewardbench.tasks import Preset
from tests.conftest import run_files, write_tiny_task

#: keys of a run file that say when and on what it ran, not what it measured
VOLATILE = {"created", "timing", "policy_dir", "seconds", "machine"}


def _task(tmp_path: Path, tiny_policy: str) -> Path:
    # a registered reward: worker processes do not see rewards a test registers in its own process
    return write_tiny_task(
        tmp_path,
        tiny_policy,
        name="pool_task",
        reward={"id": "vader", "options": {"target": "negative"}},
        judges=("textblob",),
        policies=["reference", "best-of-n", "pfrl-ppo"],
        policy_options={"best-of-n": {"n": 2, "ns": [1, 2]}},
        steps=2,
        eval_points=1,
    )


def test_two_jobs_write_the_run_files_of_one_job_and_a_partial_board_after_each_cell(tmp_path, tiny_policy):
    task = _task(tmp_path, tiny_policy)
    boards: dict[str, str] = {}

    def echo(line: str) -> None:  # a cell's start line comes after the previous cell's render
        board = tmp_path / "one" / "pool_task" / "LEADERBOARD.md"
        if line.lstrip().startswith("start") and board.exists():
            boards[line.split()[1]] = board.read_text()

    config = RunConfig(task=str(task), out=str(tmp_path / "one"), progress=False, live_report=True, jobs=1)
    one = run(config, echo=echo)
    assert [o.status for o in one] == ["done"] * 3
    first, second, third = (o.spec.name for o in one)
    assert first not in boards  # nothing finished before the first cell
    assert "Partial: 1 of 3 cells finished." in boards[second] and "| `reference`" in boards[second]
    assert "Partial: 2 of 3 cells finished." in boards[third] and "| `best-of-n`" in boards[third]
    final = (tmp_path / "one" / "pool_task" / "LEADERBOARD.md").read_text()
    assert "Partial:" not in final and "| `pfrl-ppo`" in final

    lines: list[str] = []
    two = run(
        RunConfig(task=str(task), out=str(tmp_path / "two"), progress=False, jobs=2, live_report=True),
        echo=lines.append,
    )
    assert [o.status for o in two] == ["done"] * 3
    # the same samples and every number but float summation order: one cell of 2 threads vs 2 cells of 1 thread
    assert run_files(tmp_path / "two", VOLATILE) == run_files(tmp_path / "one", VOLATILE, rel=1e-5)
    assert "2 at a time" in lines[0]
    started = [line.split()[1] for line in lines if line.lstrip().startswith("start")]
    assert sorted(started) == sorted([first, second, third])
    done = [line for line in lines if line.lstrip().startswith("done")]
    assert len(done) == 3 and all("train reward" in line and "KL" in line for line in done)
    assert "Partial:" not in (tmp_path / "two" / "pool_task" / "LEADERBOARD.md").read_text()
    for name in (first, second, third):  # each cell's libraries' output went to its log; it had its share of threads
        cell = tmp_path / "two" / "pool_task" / "runs" / name
        assert (cell / "log.txt").is_file()
        assert json.loads((cell / "result.json").read_text())["machine"]["torch_threads"] == threads_per_job(2)

    again = run(RunConfig(task=str(task), out=str(tmp_path / "two"), progress=False, jobs=2), echo=lambda _: None)
    assert [o.status for o in again] == ["skipped"] * 3


def test_a_worker_that_raises_fails_its_cell_alone(tmp_path, tiny_policy):
    task = _task(tmp_path, tiny_policy)
    missing = tmp_path / "no-such-model"
    config = RunConfig(
        task=str(task),
        out=str(tmp_path / "out"),
        progress=False,
        jobs=2,
        policies=("reference",),
        seeds=(0, 1),
        rewards=("vader", str(missing) + "/"),
    )
    outcomes = run(config, echo=lambda _: None)
    assert [o.status for o in outcomes] == ["done", "done", "failed", "failed"]
    assert all(str(missing) in o.error for o in outcomes[2:])
    log = (tmp_path / "out" / "pool_task" / "runs" / outcomes[2].spec.name / "log.txt").read_text()
    assert "Traceback" in log  # the one-line failure's full trace is in the cell's log


def test_the_estimate_uses_each_policys_measured_cost():
    assert eta_seconds({}, ["reference"], [], 2) is None  # nothing measured yet
    costs = {"reference": [10.0, 30.0], "pfrl-ppo": [100.0]}
    # four reference cells left (20 s each), one pfrl-ppo cell 40 s into its 100: 80 + 60 s of work on 2 workers
    assert eta_seconds(costs, ["reference"] * 4, [("pfrl-ppo", 40.0)], 2) == pytest.approx(70.0)
    # the grid cannot end before its longest running cell
    assert eta_seconds(costs, ["reference"] * 2, [("pfrl-ppo", 40.0)], 2) == pytest.approx(60.0)
    # an unmeasured policy costs what the dearest measured one did, at least as long as it has run already
    assert eta_seconds(costs, ["trl-ppo"], [], 1) == pytest.approx(100.0)
    assert eta_seconds(costs, [], [("trl-ppo", 150.0)], 1) == pytest.approx(0.0)
    assert eta_seconds(costs, ["trl-ppo"], [("trl-ppo", 150.0)], 1) == pytest.approx(150.0)
    assert [duration(s) for s in (42, 185, 3720)] == ["42s", "3m05s", "1h02m"]


def test_the_default_jobs_fill_the_cores_at_the_presets_run_cpus():
    assert default_jobs(Preset(policies=("reference",)), cells=8, available=2) == 2
    assert default_jobs(Preset(policies=("reference",), run_cpus=4), cells=8, available=16) == 4
    assert default_jobs(Preset(policies=("reference",), run_cpus=4), cells=8, available=2) == 1
    assert default_jobs(Preset(policies=("reference",)), cells=1, available=16) == 1
    assert [threads_per_job(j, available=4) for j in (1, 2, 3, 8)] == [4, 2, 1, 1]


def test_negative_jobs_fail_in_plan(tmp_path, tiny_policy):
    from rewardbench.errors import ConfigError

    with pytest.raises(ConfigError, match="--jobs -1"):
        plan(RunConfig(task=str(_task(tmp_path, tiny_policy)), jobs=-1))


@pytest.mark.parametrize("verbose", [False, True])
def test_the_libraries_output_goes_to_the_cells_log_and_to_the_terminal_only_when_verbose(
    tmp_path, tiny_policy, capsys, verbose
):
    from transformers.utils import logging as hf_logging

    from rewardbench.policies import POLICIES
    from rewardbench.policies.reference import ReferencePolicy

    class Chatty(ReferencePolicy):
        id = "chatty"

        def train(self) -> None:
            print("===training policy===")  # TRL's banner
            print({"objective/kl": 0.1})  # a trainer's raw stat dict
            warnings.warn("`gradient_checkpointing` is deprecated", FutureWarning, stacklevel=1)
            hf_logging.get_logger("transformers.modeling_utils").warning("LlamaForCausalLM LOAD REPORT: MISSING")
            logging.getLogger("some.library").warning("a library's warning")
            super().train()

    chatter = ("===training policy===", "objective/kl", "gradient_checkpointing", "LOAD REPORT", "library's warning")
    task = write_tiny_task(tmp_path, tiny_policy, name="chatty_task", reward="vader", policies=["chatty"])
    before = (list(hf_logging.get_logger().handlers), hf_logging.get_logger().propagate)
    with POLICIES.override("chatty", Chatty):
        (outcome,) = run(RunConfig(task=str(task), out=str(tmp_path / "out"), progress=False, verbose=verbose))
    assert outcome.status == "done", outcome.error
    terminal = capsys.readouterr()
    log = (outcome.path.parent / "log.txt").read_text()
    assert all(text in log for text in chatter)
    shown = [text for text in chatter if text in terminal.out + terminal.err]
    assert shown == (list(chatter) if verbose else [])
    assert "start chatty__vader__seed0" in terminal.out and "done  chatty__vader__seed0" in terminal.out
    # restored after the cell, as it was before (other tests may have changed transformers' defaults)
    assert (list(hf_logging.get_logger().handlers), hf_logging.get_logger().propagate) == before


def _cell_that_dies_on_seed_1(spec: RunSpec) -> RunOutcome:
    """A pool cell (importable by a spawned worker): seed 1 kills its worker, seed 2 is still running then."""
    import os
    import time

    if spec.seed == 1:
        time.sleep(1)
        os._exit(1)
    if spec.seed == 2:
        time.sleep(4)
    return RunOutcome(spec, "skipped", None)


def test_a_worker_that_dies_fails_the_cells_it_ran_and_new_workers_run_the_rest(tmp_path):
    from rewardbench.steering.grid import GridMonitor
    from rewardbench.steering.pool import run_in_pool
    from rewardbench.tasks import RewardSpec

    specs = [RunSpec("reference", RewardSpec("vader"), seed) for seed in range(4)]
    lines: list[str] = []
    monitor = GridMonitor(
        specs, [s.name for s in specs], tmp_path, jobs=2, progress=False, live_report=False, echo=lines.append
    )
    outcomes = run_in_pool(
        specs,
        _cell_that_dies_on_seed_1,
        lambda spec, exc: RunOutcome(spec, "failed", None, type(exc).__name__),
        jobs=2,
        threads=1,
        monitor=monitor,
    )
    assert [outcomes[s.name].status for s in specs] == ["skipped", "failed", "failed", "skipped"]
    assert outcomes[specs[1].name].error == "BrokenProcessPool"
    assert sum(line.lstrip().startswith("FAILED") for line in lines) == 2


def test_the_progress_line_counts_cells_and_estimates_from_finished_ones(tmp_path, monkeypatch):
    from rewardbench.steering import grid
    from rewardbench.tasks import RewardSpec

    monkeypatch.setattr(grid, "headline", lambda path: "train reward 0.5, KL 1.0")
    specs = [RunSpec("reference", RewardSpec("vader"), seed) for seed in range(3)] + [
        RunSpec("trl-ppo", RewardSpec("vader"), 0)
    ]
    lines: list[str] = []
    monitor = grid.GridMonitor(
        specs, [s.name for s in specs], tmp_path, jobs=1, progress=False, live_report=False, echo=lines.append
    )
    assert monitor.postfix() == "0 running, 4 left, ETA after the first cell"
    monitor.started(specs[0])
    monitor.finished(RunOutcome(specs[0], "done", tmp_path / "result.json"), 10.0)
    # two reference cells at 10 s, the unmeasured trl-ppo at the dearest measured policy's 10 s
    assert monitor.postfix() == "0 running, 3 left, ~30s left"
    monitor.started(specs[1])
    monitor.finished(RunOutcome(specs[1], "failed", None, "boom"), 3.0)
    monitor.finished(RunOutcome(specs[2], "busy", None, "being run by another process"))
    assert monitor.postfix() == "0 running, 1 left, 1 failed, 1 busy, ~10s left"
    monitor.close()
    assert lines[1] == "  done  reference__vader__seed0 in 10s: train reward 0.5, KL 1.0"
    assert lines[3] == "  FAILED reference__vader__seed1 in 3s: boom" and lines[4].startswith("  busy  ")
