"""``rewardbench run --executor ray``: every (policy, reward, seed) cell of the grid is one Ray task.

Each task asks for the resources of the task's preset (``run_cpus``, ``run_gpus``), runs the cell through
:func:`rewardbench.steering.harness.run_cell_in_worker` (so a finished cell is skipped and a cell another process or
node holds is never trained twice: the per-cell lock lives next to the results on the shared ``--out``) and returns its
outcome; a failing cell fails alone. With no address a local Ray starts on this machine; with ``--ray-address``
the driver joins that cluster, whose nodes must have rewardbench installed and ``--out`` on shared storage.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.steering.harness import failure_line, run_cell_in_worker
from rewardbench.steering.planning import RunConfig, RunOutcome, RunSpec, plan


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError(
            "--executor ray needs Ray: pip install 'rewardbench[ray]' (or use --shard I/N on plain machines)"
        ) from None
    return ray


def run_on_ray(
    config: RunConfig, *, address: str | None = None, echo: Callable[[str], None] = print
) -> list[RunOutcome]:
    """Run the grid of ``config`` as Ray tasks and return the outcomes in grid order.

    Paths are made absolute first (workers do not share the driver's working directory). The driver prints one
    line per finished cell as results come back.
    """
    ray = _ray()
    task_path = Path(config.task)
    config = replace(
        config,
        task=str(task_path.resolve()) if task_path.is_file() else config.task,
        out=str(Path(config.out).resolve()),
    )
    task, specs = plan(config)
    preset = task.preset(config.preset)
    runs_dir = Path(config.out) / task.id / "runs"
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    where = address or "a local Ray"
    echo(
        f"task {task.id} ({config.source}, preset {config.preset}): {len(specs)} runs on {where} "
        f"({preset.run_cpus} CPU, {preset.run_gpus:g} GPU each) -> {runs_dir}"
    )
    cell = ray.remote(num_cpus=preset.run_cpus, num_gpus=preset.run_gpus, max_retries=0)(_cell)
    worker_config = replace(config, progress=False)
    pending = {cell.remote(worker_config, spec, str(runs_dir)): spec for spec in specs}
    outcomes: dict[str, RunOutcome] = {}
    started = time.perf_counter()
    try:
        while pending:
            (ref,), _ = ray.wait(list(pending), num_returns=1)
            spec = pending.pop(ref)
            try:
                outcome = ray.get(ref)
            except Exception as exc:  # noqa: BLE001 - a worker that died (out of memory, killed) fails its cell only
                outcome = RunOutcome(spec, "failed", None, failure_line(exc, runs_dir / spec.name))
            outcomes[spec.name] = outcome
            detail = f": {outcome.error}" if outcome.status == "failed" else ""
            echo(
                f"  [{len(outcomes)}/{len(specs)} {time.perf_counter() - started:.0f}s] "
                f"{spec.name}: {outcome.status}{detail}"
            )
    finally:
        if started_here:
            ray.shutdown()
    return [outcomes[spec.name] for spec in specs]


def _cell(config: RunConfig, spec: RunSpec, runs_dir: str) -> RunOutcome:
    """One cell in a Ray worker: torch gets the task's CPUs as threads; the outcome goes back to the driver."""
    import ray

    cpus = ray.get_runtime_context().get_assigned_resources().get("CPU", 1)
    return run_cell_in_worker(config, Path(runs_dir), max(1, int(cpus)), spec)
