"""Where weights come from: a hub id, a local path, or the embedded zoo (``embedded:NAME``).

Every loader shares one in-process cache keyed by (kind, resolved source, device, dtype), so two rewards that use
the same checkpoint hold one copy of it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rewardbench.errors import ConfigError, ModelSourceError
from rewardbench.runtime import embedded
from rewardbench.runtime.paths import file_sha256

if TYPE_CHECKING:
    import torch

EMBEDDED_PREFIX = embedded.PREFIX
#: Where a task or a reward-evaluation suite takes its models and data from: the embedded zoo or the hub.
SOURCES = ("embedded", "hub")

_CACHE: dict[tuple, Any] = {}
_LOCK = threading.RLock()


def default_device() -> torch.device:
    """CUDA when present, else CPU."""
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def inference_dtype(device: torch.device) -> torch.dtype:
    """The default scoring dtype: bf16 on CUDA, fp32 on CPU (a reward's ``dtype`` option overrides it).

    CPU scoring stays fp32 so scores are the same on every machine; bf16 is faster only on CPUs with bf16 matrix
    units (an AMD EPYC Zen 4: 780 GFLOP/s in bf16 against 215 in fp32; the Intel Xeon this was developed on: 162
    against 307), and its effect on rankings is measured by ``rewardbench bench`` (see results/bench/BENCH.md).
    """
    import torch

    return torch.bfloat16 if device.type == "cuda" else torch.float32


def source_kind(spec: str) -> str:
    """``"embedded"``, ``"local"`` or ``"hub"`` for a model spec."""
    if spec.startswith(EMBEDDED_PREFIX):
        return "embedded"
    if Path(spec).expanduser().exists():
        return "local"
    return "hub"


def resolve(spec: str) -> str:
    """Turn a spec into something ``from_pretrained`` accepts, building an embedded model if needed."""
    kind = source_kind(spec)
    if kind == "embedded":
        return str(embedded.ensure(spec[len(EMBEDDED_PREFIX) :]))
    if kind == "local":
        return str(Path(spec).expanduser().resolve())
    return spec


_HUB_REACHABLE: dict[str, bool] = {}


def hub_reachable(timeout: float = 5.0) -> bool:
    """Whether the hub endpoint (``$HF_ENDPOINT``, default huggingface.co) accepts a connection, probed once.

    Without it, a hub load on a machine with no network retries for most of a minute before it fails; with it,
    rewardbench fails within ``timeout`` seconds with its own message. ``HF_HUB_OFFLINE=1`` skips the probe (the
    hub library then fails at once by itself).
    """
    import socket
    from urllib.parse import urlparse

    endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    host, port = endpoint.hostname or "huggingface.co", endpoint.port or (80 if endpoint.scheme == "http" else 443)
    key = f"{host}:{port}"
    if key not in _HUB_REACHABLE:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                _HUB_REACHABLE[key] = True
        except OSError:
            _HUB_REACHABLE[key] = False
    return _HUB_REACHABLE[key]


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")


def from_pretrained(loader: Callable[..., Any], spec: str, **kwargs: Any) -> Any:
    """``loader(resolve(spec), **kwargs)`` (e.g. ``AutoConfig.from_pretrained``), with errors that say what to do.

    Raises:
        ModelSourceError: the hub id, folder or embedded model cannot be loaded.
    """
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # one bar per weight file is noise inside a reward call
    source = resolve(spec)
    if source_kind(spec) == "hub" and not _offline() and not hub_reachable():
        endpoint = os.environ.get("HF_ENDPOINT") or "huggingface.co"
        raise ModelSourceError(
            f"could not load {spec!r} from the Hugging Face hub (no network: {endpoint} is unreachable). "
            "Without the hub, use a local folder or an embedded model (see `rewardbench list models`)."
        )
    try:
        return loader(source, **kwargs)
    except OSError as exc:
        if source_kind(spec) == "hub":
            raise ModelSourceError(
                f"could not load {spec!r} from the Hugging Face hub ({exc.__class__.__name__}: {exc}). "
                "Without the hub, use a local folder or an embedded model (see `rewardbench list models`)."
            ) from exc
        raise ModelSourceError(f"could not load a model from {source!r}: {exc}") from exc


def cached(kind: str, spec: str, device: Any, build: Callable[[], Any], dtype: Any = None) -> Any:
    """Return the object cached under (kind, spec, device, dtype), building it once."""
    key = (kind, resolve(spec), str(device), str(dtype))
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = build()
        return _CACHE[key]


def clear_cache() -> None:
    """Drop every shared model (frees memory; the next call reloads)."""
    with _LOCK:
        _CACHE.clear()


def load_tokenizer(spec: str, *, padding_side: str = "right") -> Any:
    """A tokenizer for ``spec``, with a pad token (the eos token if it had none)."""
    from transformers import AutoTokenizer

    def build() -> Any:
        tok = from_pretrained(AutoTokenizer.from_pretrained, spec)
        if tok.pad_token is None:
            tok.pad_token = tok.eos_token
        return tok

    tok = cached(f"tokenizer-{padding_side}", spec, "-", build)
    tok.padding_side = padding_side
    return tok


def _load_eval_model(auto_cls_name: str, spec: str, device: Any = None, dtype: Any = None) -> Any:
    import transformers

    device = device or default_device()
    dtype = dtype or inference_dtype(device)

    def build() -> Any:
        auto_cls = getattr(transformers, auto_cls_name)
        try:
            model = from_pretrained(auto_cls.from_pretrained, spec, dtype=dtype)
        except ValueError as exc:  # transformers' "Unrecognized configuration class ... for this kind of AutoModel"
            kind = auto_cls_name.removeprefix("AutoModelFor")
            raise ConfigError(f"model {spec!r} cannot be loaded as a {kind} model: {exc}") from exc
        return model.to(device).eval()

    return cached(auto_cls_name, spec, device, build, dtype)


def load_sequence_classifier(spec: str, device: Any = None, dtype: Any = None) -> Any:
    """A shared, eval-mode ``AutoModelForSequenceClassification``."""
    return _load_eval_model("AutoModelForSequenceClassification", spec, device, dtype)


def load_causal_lm(spec: str, device: Any = None, dtype: Any = None) -> Any:
    """A shared, eval-mode ``AutoModelForCausalLM`` (never train this copy: it is shared)."""
    return _load_eval_model("AutoModelForCausalLM", spec, device, dtype)


def load_masked_lm(spec: str, device: Any = None, dtype: Any = None) -> Any:
    """A shared, eval-mode ``AutoModelForMaskedLM``."""
    return _load_eval_model("AutoModelForMaskedLM", spec, device, dtype)


def describe(spec: str) -> dict[str, Any]:
    """Provenance of a model for result files: source kind, path, and weight hashes or hub revision.

    ``weights_sha256`` maps each weight file to its hash (for an embedded model, as its build manifest records
    them). Result files of earlier versions stored the embedded hashes under ``manifest_sha256``; the result loaders
    read that key as ``weights_sha256``.
    """
    kind = source_kind(spec)
    info: dict[str, Any] = {"spec": spec, "source": kind}
    if kind == "hub":
        info["revision"] = _hub_revision(spec)
        return info
    path = Path(resolve(spec))
    info["path"] = str(path)
    if kind == "embedded":
        info["weights_sha256"] = embedded.read_manifest(spec[len(EMBEDDED_PREFIX) :]).get("weights_sha256")
    elif path.is_dir():
        weights = sorted(path.glob("*.safetensors")) or sorted(path.glob("*.bin"))
        info["weights_sha256"] = {p.name: file_sha256(p) for p in weights}
    return info


def _hub_revision(repo_id: str) -> str | None:
    """The commit of the cached snapshot of a hub model, if one is cached."""
    try:
        from huggingface_hub import scan_cache_dir

        for repo in scan_cache_dir().repos:
            if repo.repo_id == repo_id and repo.revisions:
                return max(repo.revisions, key=lambda r: r.last_modified).commit_hash
    except Exception:  # noqa: BLE001 - provenance is best effort; a missing cache is not an error
        return None
    return None
