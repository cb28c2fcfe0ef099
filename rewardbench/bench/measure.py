"""Measuring instruments: wall time, peak memory, matmul FLOPs of a call, and the machine's matmul limit."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes() -> int:
    """Resident set size of this process now (Linux ``/proc``; peak-so-far from ``getrusage`` elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class PeakMemory:
    """Context manager: the peak resident memory of this process while the block runs (sampled every 2 ms),
    and the peak CUDA memory allocated by torch when a GPU is in use.

    Example:
        >>> with PeakMemory() as peak:
        ...     work()                                   # doctest: +SKIP
        >>> peak.rss_peak, peak.rss_start                # doctest: +SKIP
    """

    def __init__(self, interval: float = 0.002) -> None:
        self.interval = interval
        self.rss_start = self.rss_peak = 0
        self.cuda_peak: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.rss_peak = max(self.rss_peak, rss_bytes())

    def __enter__(self) -> PeakMemory:
        import torch

        if torch.cuda.is_available():
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        self.rss_start = self.rss_peak = rss_bytes()
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        import torch

        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.rss_peak = max(self.rss_peak, rss_bytes())
        if torch.cuda.is_available():
            torch.cuda.synchronize()
            self.cuda_peak = int(torch.cuda.max_memory_allocated())

    def as_dict(self) -> dict[str, Any]:
        return {
            "rss_peak_mb": round(self.rss_peak / 2**20, 1),
            "rss_added_mb": round((self.rss_peak - self.rss_start) / 2**20, 1),
            "cuda_peak_mb": None if self.cuda_peak is None else round(self.cuda_peak / 2**20, 1),
        }


def synchronize() -> None:
    """Wait for queued GPU work, so a wall-clock reading covers it (no-op on CPU)."""
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the best and the median of ``repeats`` calls (after one untimed warm-up call)."""

    best: float
    median: float
    repeats: int


def time_call(
    fn: Callable[[], Any],
    *,
    repeats: int = 3,
    min_seconds: float = 0.0,
    max_seconds: float = 30.0,
    warmup: bool = True,
) -> Timing:
    """Time ``fn`` ``repeats`` times (more while the total is under ``min_seconds``, fewer once it passes
    ``max_seconds``); best and median seconds."""
    import statistics

    if warmup:
        fn()
        synchronize()
    times: list[float] = []
    while len(times) < repeats or sum(times) < min_seconds:
        start = time.perf_counter()
        fn()
        synchronize()
        times.append(time.perf_counter() - start)
        if len(times) >= 50 or sum(times) >= max_seconds:
            break
    return Timing(min(times), statistics.median(times), len(times))


def count_flops(fn: Callable[[], Any]) -> int:
    """Matrix-multiply FLOPs (multiply-adds count 2) of one call of ``fn``, from torch's ``FlopCounterMode``.

    FlopCounterMode counts matmuls, convolutions and attention, the operations the matmul limit is about;
    element-wise work (norms, activations, softmax) is not counted, as in the usual model-FLOPs utilisation.
    """
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter:
        fn()
    return int(counter.get_total_flops())


def matmul_limit(dtype: Any = None, size: int = 2048, repeats: int = 5) -> dict[str, Any]:
    """FLOP/s of a large square matmul (``size`` x ``size``) on the default device: the limit scoring is held to."""
    import torch

    from rewardbench.runtime import models

    device = models.default_device()
    dtype = dtype or models.inference_dtype(device)
    a = torch.randn(size, size, device=device, dtype=dtype)
    b = torch.randn(size, size, device=device, dtype=dtype)
    timing = time_call(lambda: a @ b, repeats=repeats, min_seconds=0.5)
    return {
        "size": size,
        "dtype": str(dtype).replace("torch.", ""),
        "device": device.type,
        "flops_per_s": 2 * size**3 / timing.best,
    }
