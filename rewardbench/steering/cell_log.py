"""A cell's log file: the libraries' own output during one run goes to ``OUT/TASK/runs/NAME/log.txt``.

transformers' LOAD REPORT tables and warnings, FutureWarnings, TRL's banners and the trainers' logged stat dicts
would otherwise fill the terminal between the progress bars. During a cell, Python's ``logging`` (transformers'
loggers made to propagate to it), ``warnings`` and ``sys.stdout`` go to the log; ``sys.stderr`` too when the cell
shows no progress bars (they draw on it). With ``verbose`` everything is shown on the terminal as well.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


class _Tee:
    """A text stream writing to several others (the terminal and the log)."""

    def __init__(self, *streams: IO[str]) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, ... of the first stream
        return getattr(self.streams[0], name)


@contextlib.contextmanager
def captured(path: Path, *, verbose: bool = False, stderr: bool = False) -> Iterator[None]:
    """Send the libraries' output to ``path`` (appended) while the block runs, and to the terminal if ``verbose``.

    Args:
        path: the log file.
        verbose: show the output on the terminal as well.
        stderr: capture ``sys.stderr`` too (only when no progress bar draws on it).
    """
    from transformers.utils import logging as hf_logging

    path.parent.mkdir(parents=True, exist_ok=True)
    hf_root = hf_logging.get_logger()  # the "transformers" logger, its stderr handler installed on first use
    saved = (list(hf_root.handlers), hf_root.propagate)
    root = logging.getLogger()
    with open(path, "a", encoding="utf-8", buffering=1) as log, contextlib.ExitStack() as stack:
        handlers: list[logging.Handler] = [logging.StreamHandler(log)]
        if verbose:
            handlers.append(logging.StreamHandler(sys.stderr))
        for handler in handlers:
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            root.addHandler(handler)
        hf_root.handlers, hf_root.propagate = [], True
        logging.captureWarnings(True)
        stack.enter_context(contextlib.redirect_stdout(_Tee(sys.stdout, log) if verbose else log))
        if stderr:
            stack.enter_context(contextlib.redirect_stderr(_Tee(sys.stderr, log) if verbose else log))
        try:
            yield
        finally:
            logging.captureWarnings(False)
            hf_root.handlers, hf_root.propagate = saved
            for handler in handlers:
                root.removeHandler(handler)
