"""Result-file plumbing: the provenance stamp, atomic writes, and reading a JSON file against its schema.

Each result file has a schema module (``steering/results.py``, ``reward_eval/results.py``, ``bench/results.py``)
that describes its keys as ``TypedDict`` classes; :func:`check_schema` validates a loaded document against them and
names the file and the dotted key of the first problem.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
import types
import typing
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TypedDict

from rewardbench.errors import ConfigError


class _ModelInfoRequired(TypedDict):
    spec: str  #: hub id, local folder or ``embedded:NAME``
    source: str  #: embedded, local or hub


class ModelInfo(_ModelInfoRequired, total=False):
    """Where a model came from: ``runtime.models.describe``."""

    path: str  #: resolved folder (local and embedded)
    weights_sha256: dict[str, str] | None  #: weight file -> SHA-256
    revision: str | None  #: hub commit of the cached snapshot


class Machine(TypedDict):
    cpu: str
    cores: int | None
    torch_threads: int
    gpu: str | None


PACKAGES = ("rewardbench", "torch", "transformers", "vaderSentiment", "rouge-score", "trl", "pfrl")


def git_commit() -> str | None:
    """The commit of the rewardbench checkout, or None outside a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def machine() -> dict[str, Any]:
    """CPU model, core count and GPU name (if any)."""
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }


def packages() -> dict[str, str | None]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def stamp() -> dict[str, Any]:
    """Provenance block for a result file."""
    return {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "machine": machine(),
        "packages": packages(),
    }


def write_json_atomic(path: Path, payload: Any) -> Path:
    """Write JSON to a temporary file beside ``path`` and rename it over ``path``: readers never see half a file."""
    return write_text_atomic(path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


def write_text_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to a temporary file beside ``path`` and rename it over ``path``."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the file the mode open() would
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_json(path: Path) -> Any:
    """Parse a JSON file; a broken one raises :class:`ConfigError` naming it and saying what to do."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path} is not valid JSON ({exc}); delete it and rerun what wrote it") from exc


def check_schema(doc: Any, tp: Any, where: str) -> None:
    """Check ``doc`` against the annotation ``tp`` (a ``TypedDict``, ``list[...]``, ``dict[str, ...]``, ...).

    Required keys of every ``TypedDict`` must be present and values of the annotated JSON type; keys a schema does
    not describe are allowed (newer writers may add some). ``where`` prefixes the message, e.g. ``"path: key"``.

    Raises:
        ConfigError: naming ``where`` and the dotted key of the first mismatch.
    """
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any:
        return
    if origin is typing.Union or origin is types.UnionType:
        errors = {}
        for option in args:
            try:
                check_schema(doc, option, where)
                return
            except ConfigError as exc:
                errors[option] = str(exc)
        real = [a for a in args if a is not type(None)]
        if len(real) == 1:  # Optional[X]: X's own message says more than "expected null"
            raise ConfigError(errors[real[0]])
        raise ConfigError(f"{where}: expected one of {', '.join(_type_name(a) for a in args)}, got {_short(doc)}")
    if typing.is_typeddict(tp):
        if not isinstance(doc, dict):
            raise ConfigError(f"{where}: expected a mapping, got {_short(doc)}")
        hints = typing.get_type_hints(tp)
        for key in sorted(tp.__required_keys__):
            if key not in doc:
                raise ConfigError(f"{_key(where, key)}: required key is missing")
        for key, value in doc.items():
            if key in hints:
                check_schema(value, hints[key], _key(where, key))
        return
    if origin is list:
        if not isinstance(doc, list | tuple):  # a tuple is written as a JSON list
            raise ConfigError(f"{where}: expected a list, got {_short(doc)}")
        for i, item in enumerate(doc):
            check_schema(item, args[0], f"{where}[{i}]")
        return
    if origin is dict:
        if not isinstance(doc, dict):
            raise ConfigError(f"{where}: expected a mapping, got {_short(doc)}")
        for key, value in doc.items():
            check_schema(value, args[1], _key(where, key))
        return
    if tp is type(None):
        if doc is not None:
            raise ConfigError(f"{where}: expected null, got {_short(doc)}")
        return
    if tp is float and isinstance(doc, int) and not isinstance(doc, bool):
        return
    if not isinstance(doc, tp) or (tp in (int, float) and isinstance(doc, bool)):
        raise ConfigError(f"{where}: expected {_type_name(tp)}, got {_short(doc)}")


def _key(where: str, key: object) -> str:
    return f"{where} {key}" if where.endswith(":") else f"{where}.{key}"


def _type_name(tp: Any) -> str:
    return {
        int: "an integer",
        float: "a number",
        str: "a string",
        bool: "true or false",
        type(None): "null",
        list: "a list",
        dict: "a mapping",
    }.get(tp, getattr(tp, "__name__", str(tp)))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
