"""``rewardbench run --jobs N``: up to N cells at once, each in a worker process of this machine.

Workers are started with ``spawn`` (a fresh interpreter: no torch threads or model cache forked from the parent)
and given their share of the cores as threads before torch loads. The harness hands in the cell function
(:func:`rewardbench.steering.harness.run_cell_in_worker`, the per-cell lock, resume and run files of a cell run
alone). A worker that dies (killed, out of memory) fails the cells it was running; the rest go on in new workers.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from rewardbench.runtime.threads import limit_threads
from rewardbench.steering.grid import GridMonitor
from rewardbench.steering.planning import RunOutcome, RunSpec


def run_in_pool(
    specs: list[RunSpec],
    cell: Callable[[RunSpec], RunOutcome],
    failed: Callable[[RunSpec, BaseException], RunOutcome],
    *,
    jobs: int,
    threads: int,
    monitor: GridMonitor,
) -> dict[str, RunOutcome]:
    """Run ``cell(spec)`` for every spec in ``jobs`` worker processes of ``threads`` threads, reporting to
    ``monitor``; the outcomes by cell name.

    ``cell`` must pickle (a module-level function or a ``functools.partial`` of one); ``failed`` makes the outcome
    of a cell whose worker raised or died.
    """
    queue, outcomes = list(specs), {}
    running: dict[Future[RunOutcome], tuple[RunSpec, float]] = {}
    pool = _pool(jobs, threads)
    try:
        while queue or running:
            while queue and len(running) < jobs:
                spec = queue.pop(0)
                monitor.started(spec)
                running[pool.submit(cell, spec)] = (spec, time.perf_counter())
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            broken = any(isinstance(f.exception(), BrokenProcessPool) for f in done)
            if broken:  # every worker of a broken pool is gone: its running cells failed with it
                pool.shutdown(wait=True)
                done = set(running)
            for future in done:
                spec, started = running.pop(future)
                exc = future.exception()
                outcomes[spec.name] = future.result() if exc is None else failed(spec, exc)
                monitor.finished(outcomes[spec.name], time.perf_counter() - started)
            if broken and queue:
                pool = _pool(jobs, threads)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return outcomes


def _pool(jobs: int, threads: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=limit_threads,  # runtime.threads imports nothing heavy: this runs before torch loads
        initargs=(threads,),
    )
