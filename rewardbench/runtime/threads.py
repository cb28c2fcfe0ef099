"""CPU threads: the cores this process may use, and a per-process thread budget for parallel cells.

Nothing heavy is imported here, so a worker process can call :func:`limit_threads` before torch loads (the OpenMP
pool is sized when torch is first imported; ``torch.set_num_threads`` alone leaves other libraries' pools alone).
"""

from __future__ import annotations

import os
import sys

#: environment variables read by the thread pools of torch (OpenMP, MKL), numpy's BLAS and the tokenizers
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "RAYON_NUM_THREADS")


def cores() -> int:
    """The cores this process may run on (its CPU affinity, which containers and ``taskset`` narrow)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def limit_threads(threads: int) -> None:
    """Give this process ``threads`` threads: set the pools' variables, and torch's count if torch is loaded."""
    threads = max(1, int(threads))
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)
