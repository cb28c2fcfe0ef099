"""A grid while it runs: one line per cell as it starts and ends, a grid-level progress line with an estimate of the
time left, and the leaderboard re-rendered after every finished cell (marked partial until the grid is done).

Every executor of :mod:`rewardbench.steering.harness` reports to one :class:`GridMonitor`: ``started(spec)`` when a
cell starts, ``finished(outcome, seconds)`` when it ends.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from rewardbench.steering.cell_log import captured
from rewardbench.steering.planning import RunOutcome, RunSpec
from rewardbench.steering.results import final_point, load_run, load_runs

#: seconds between refreshes of the progress line while no cell starts or ends
TICK_SECONDS = 5.0


def eta_seconds(
    costs: dict[str, list[float]], left: Iterable[str], running: Iterable[tuple[str, float]], jobs: int
) -> float | None:
    """Seconds until the grid is done, or None before any cell has finished.

    Args:
        costs: seconds of each finished cell of this invocation, per policy id.
        left: the policy id of every cell not started yet.
        running: (policy id, seconds since it started) of every running cell.
        jobs: cells run at once.

    A policy's cell costs the mean of its finished cells; a policy with none finished yet costs as much as the
    dearest policy measured (the grids run cheap policies first), at least as long as its running cells have run.
    The work left is shared among ``jobs`` workers, and the grid cannot end before its longest running cell.
    """
    means = {pid: sum(s) / len(s) for pid, s in costs.items() if s}
    if not means:
        return None
    running = list(running)
    longest_elapsed: dict[str, float] = defaultdict(float)
    for pid, elapsed in running:
        longest_elapsed[pid] = max(longest_elapsed[pid], elapsed)

    def cost(pid: str) -> float:
        return means[pid] if pid in means else max(max(means.values()), longest_elapsed[pid])

    unfinished = [max(0.0, cost(pid) - elapsed) for pid, elapsed in running]
    work = sum(cost(pid) for pid in left) + sum(unfinished)
    return max(work / max(1, jobs), max(unfinished, default=0.0))


def duration(seconds: float) -> str:
    """``1h02m``, ``3m05s`` or ``42s``."""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def headline(path: Path) -> str:
    """A finished run's headline numbers: the final point's training reward and KL from the reference."""
    point = final_point(load_run(path))
    reward = point["metrics"]["train_reward"]["mean"]
    kl = point["metrics"]["kl"]
    if kl["kind"] == "measured":
        kl_value, kl_note = kl["k1"]["mean"], ""
    else:  # best-of-n states its KL
        kl_value = kl.get("estimate") if kl.get("estimate") is not None else kl.get("bound")
        kl_note = " (stated)"
    reward_text = "n/a" if reward is None else f"{reward:.3f}"
    kl_text = "n/a" if kl_value is None else f"{kl_value:.3f}"
    return f"train reward {reward_text}, KL {kl_text}{kl_note}"


class GridMonitor:
    """The state of one invocation's grid, shown as lines and a progress bar, and its live leaderboard.

    Args:
        specs: the cells this invocation runs, in grid order.
        grid: the names of every cell of the whole grid (all shards), which the partial leaderboard counts.
        task_dir: ``OUT/TASK`` (its ``runs/`` holds the run files, its ``LEADERBOARD.md`` the board).
        jobs: cells run at once (for the estimate).
        progress: show the grid's progress bar.
        live_report: re-render the leaderboard after every finished cell.
        echo: where the lines go.
    """

    def __init__(
        self,
        specs: list[RunSpec],
        grid: list[str],
        task_dir: Path,
        *,
        jobs: int,
        progress: bool,
        live_report: bool,
        echo: Callable[[str], None],
    ) -> None:
        from tqdm.auto import tqdm

        self.task_dir, self.grid, self.jobs = task_dir, grid, jobs
        self.live_report, self.echo = live_report, echo
        self.left = {s.name: s.policy for s in specs}
        self.running: dict[str, tuple[str, float]] = {}
        self.costs: dict[str, list[float]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self.rendered: list[Path] = []
        self._lock = threading.Lock()  # the state above, changed here and read by the ticker thread
        self._tqdm = tqdm
        self.bar = tqdm(
            total=len(specs),
            desc="grid",
            unit="cell",
            disable=not progress,
            bar_format="{desc}: {n_fmt}/{total_fmt} cells |{bar:20}| {elapsed} elapsed{postfix}",
            dynamic_ncols=True,
        )
        self._refresh()
        # the estimate and the elapsed time move while a long cell runs, in this process or a worker
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="grid-progress", daemon=True)
        if progress:
            self._ticker.start()

    def say(self, line: str) -> None:
        """One line above the progress bars."""
        with self._tqdm.external_write_mode():
            self.echo(line)

    def started(self, spec: RunSpec) -> None:
        with self._lock:
            self.left.pop(spec.name, None)
            self.running[spec.name] = (spec.policy, time.perf_counter())
        self.say(f"  start {spec.name} ({len(self.running)} running)")
        self._refresh()

    def finished(self, outcome: RunOutcome, seconds: float | None = None) -> None:
        """Record a cell's end (``seconds``: its wall time, None for a cell that never started here)."""
        name = outcome.spec.name
        with self._lock:
            self.left.pop(name, None)
            self.running.pop(name, None)
            self.counts[outcome.status] += 1
            if outcome.status == "done" and seconds is not None:
                self.costs[outcome.spec.policy].append(seconds)
        took = "" if seconds is None else f" in {duration(seconds)}"
        if outcome.status == "done" and outcome.path is not None:
            self.say(f"  done  {name}{took}: {headline(outcome.path)}")
        elif outcome.status == "skipped":
            self.say(f"  skip  {name}: already finished")
        elif outcome.status == "busy":
            self.say(f"  busy  {name}: {outcome.error}, skipped")
        else:
            self.say(f"  FAILED {name}{took}: {outcome.error}")
        self._refresh(advance=1)
        if self.live_report and outcome.status == "done":
            self.render()

    def close(self) -> None:
        """Close the bar; render the board once if this invocation finished no cell but run files exist."""
        self._stop.set()
        if self._ticker.is_alive():
            self._ticker.join()
        self.bar.close()
        if self.live_report and not self.rendered and any(self._finished_cells()):
            self.render()

    def postfix(self) -> str:
        """``N running, N left[, N failed], ~ETA left``."""
        with self._lock:
            running = [(pid, time.perf_counter() - t0) for pid, t0 in self.running.values()]
            left, counts = list(self.left.values()), dict(self.counts)
            costs = {pid: list(s) for pid, s in self.costs.items()}
        eta = eta_seconds(costs, left, running, self.jobs)
        parts = [f"{len(running)} running", f"{len(left)} left"]
        parts += [f"{counts[s]} {s}" for s in ("failed", "busy") if counts.get(s)]
        if left or running:
            parts.append("ETA after the first cell" if eta is None else f"~{duration(eta)} left")
        return ", ".join(parts)

    def render(self) -> None:
        """Re-render the leaderboard from every run file under ``task_dir``, partial while cells are missing; a
        failure to render is one line, never the end of the grid."""
        from rewardbench.steering.report import report_runs

        finished = sum(self._finished_cells())
        partial = (finished, len(self.grid)) if finished < len(self.grid) else None
        try:  # matplotlib's warnings of every render go to a log, not between the cell lines
            with captured(self.task_dir / "runs" / "report-log.txt"):
                self.rendered = report_runs(self.task_dir, load_runs([self.task_dir]), partial=partial)
        except Exception as exc:  # noqa: BLE001 - the board is a view; the runs go on whatever breaks it
            self.say(f"  leaderboard not updated: {exc.__class__.__name__}: {' '.join(str(exc).split())}")

    def _finished_cells(self) -> list[bool]:
        return [(self.task_dir / "runs" / name / "result.json").is_file() for name in self.grid]

    def _tick(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            self._refresh()

    def _refresh(self, advance: int = 0) -> None:
        self.bar.set_postfix_str(self.postfix(), refresh=not advance)
        if advance:
            self.bar.update(advance)
