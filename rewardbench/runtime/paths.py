"""Where rewardbench keeps its files, and file hashes. Imports nothing of the project, so anything may import it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def home() -> Path:
    """Cache root for built models and run state: ``$REWARDBENCH_HOME`` or ``~/.cache/rewardbench``."""
    return Path(os.environ.get("REWARDBENCH_HOME", Path.home() / ".cache" / "rewardbench")).expanduser()


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
