"""``--executor ray`` on a local Ray: every cell a Ray task, finished cells skipped, a held cell left alone, a
failing cell failing alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rewardbench.steering.harness import run
from rewardbench.steering.planning import RunConfig
from tests.conftest import write_tiny_task

ray = pytest.importorskip("ray")


def _task(tmp_path: Path, tiny_policy: str) -> Path:
    # a registered reward: Ray workers do not see rewards a test registers in its own process
    return write_tiny_task(
        tmp_path,
        tiny_policy,
        name="ray_task",
        reward={"id": "vader", "options": {"target": "negative"}},
        judges=("textblob",),
        steps=2,
        eval_points=1,
    )


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_runs_each_cell_once_skips_finished_and_held_ones_and_isolates_a_failure(local_ray, tiny_policy, tmp_path):
    from filelock import FileLock

    from rewardbench.steering.ray_executor import run_on_ray

    out = tmp_path / "out"
    missing = tmp_path / "no-such-model"
    config = RunConfig(
        task=str(_task(tmp_path, tiny_policy)),
        out=str(out),
        progress=False,
        seeds=(0, 1),
        rewards=("vader", str(missing) + "/"),
    )
    runs = out / "ray_task" / "runs"
    runs.mkdir(parents=True)
    held = FileLock(str(runs / "pfrl-ppo__vader-negative__seed1.lock"))  # another process is training this cell
    held.acquire()
    lines: list[str] = []
    try:
        outcomes = run_on_ray(config, echo=lines.append)
    finally:
        held.release()
    status = {o.spec.name: o.status for o in outcomes}
    vader = {k: v for k, v in status.items() if "vader" in k}
    assert vader == {
        "reference__vader-negative__seed0": "done",
        "reference__vader-negative__seed1": "done",
        "pfrl-ppo__vader-negative__seed0": "done",
        "pfrl-ppo__vader-negative__seed1": "busy",
    }
    failed = [o for o in outcomes if o.status == "failed"]
    assert len(failed) == 4 and all(str(missing) in o.error for o in failed)
    assert sum("/8 " in line for line in lines) == 8  # one progress line per finished cell
    doc = json.loads((runs / "pfrl-ppo__vader-negative__seed0" / "result.json").read_text())
    assert doc["seed"] == 0 and doc["points"][-1]["final"] and len(doc["curve"]) == 2

    # the same grid again: finished cells are skipped, the held one now runs (here, serially, as --shard would)
    again = run_on_ray(config, echo=lambda _: None)
    assert {o.spec.name: o.status for o in again if "vader" in o.spec.name} == {
        **{k: "skipped" for k in vader},
        "pfrl-ppo__vader-negative__seed1": "done",
    }
    local = run(config, echo=lambda _: None)
    assert all(o.status == "skipped" for o in local if "vader" in o.spec.name)
