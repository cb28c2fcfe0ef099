"""Training precision: fp32, or bf16 mixed precision (fp32 master weights, bf16 matmuls under autocast).

``auto`` is bf16 on a CUDA GPU that supports it and fp32 on every CPU, whatever its matrix units. On a CPU the
choice would move the verdict: on a 2-core AMD EPYC with AVX512-BF16, dogecoin_negative's seed-0 trl-ppo trained
in bf16 reached KL 12-20 nats where fp32 reached 7-9, and trl-grpo ended at reward 0.297 instead of 0.377 (bf16
log-probs under SmolLM2 are off by ~0.05 nats per token, BENCH.md), and a matmul that is faster in bf16 did not
make trl-ppo's step faster. Since the KL is the axis leaderboards rank along, a CPU trains in bf16 only when asked
(``--precision bf16``), and runs of different training precision are never pooled in one row
(:mod:`rewardbench.steering.pooling`). Where bf16 training does run, the policies compute the log-probs their
objective is built from in fp32 (:func:`fp32_logits`).

:func:`cpu_probe` still measures this CPU's bf16 and fp32 matmul rates for ``rewardbench bench``; it no longer
decides anything. Measurement (the KL and perplexity of the harness) always scores in fp32 on CPU.
"""

from __future__ import annotations

import contextlib
import json
import platform
import time
from collections.abc import Iterator
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.runtime.paths import home

PRECISIONS = ("auto", "fp32", "bf16")


def check(requested: str) -> str:
    """``requested`` if it names a precision, else a :class:`ConfigError` listing them."""
    if requested not in PRECISIONS:
        raise ConfigError(f"precision must be one of {', '.join(PRECISIONS)}; got {requested!r}")
    return requested


def bf16_supported(device: Any) -> bool:
    """Whether ``device`` (a torch device or its type) runs bf16 kernels at all."""
    import torch

    kind = getattr(device, "type", device)
    if kind == "cuda":
        return torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    if kind == "cpu":
        return torch.backends.mkldnn.is_available() and bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    return False


def matmul_rate(dtype: Any, device: Any = "cpu", size: int = 1024, repeats: int = 5) -> float:
    """Best-of-``repeats`` GFLOP/s of a ``size`` x ``size`` matmul in ``dtype`` on ``device``."""
    import torch

    a = torch.randn(size, size, device=device).to(dtype)
    b = torch.randn(size, size, device=device).to(dtype)
    best = float("inf")
    for attempt in range(repeats + 2):
        if torch.device(device).type == "cuda":
            torch.cuda.synchronize()
        started = time.perf_counter()
        torch.mm(a, b)
        if torch.device(device).type == "cuda":
            torch.cuda.synchronize()
        if attempt >= 2:  # two warm-up calls
            best = min(best, time.perf_counter() - started)
    return 2 * size**3 / best / 1e9


def _cpu_key() -> str:
    import torch

    model = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model} | torch {torch.__version__} | {torch.get_num_threads()} threads"


def cpu_probe() -> dict[str, Any]:
    """fp32 and bf16 matmul GFLOP/s on this CPU (measured once per CPU model, torch and thread count; cached)."""
    import torch

    path = home() / "precision.json"
    key = _cpu_key()
    try:
        cache = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        cache = {}
    if key not in cache:
        supported = bf16_supported("cpu")
        fp32 = matmul_rate(torch.float32, size=2048)
        bf16 = matmul_rate(torch.bfloat16, size=2048) if supported else None
        cache[key] = {
            "bf16_supported": supported,
            "fp32_gflops": round(fp32, 1),
            "bf16_gflops": bf16 and round(bf16, 1),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(cache, indent=2), encoding="utf-8")
    return {"cpu": key, **cache[key]}


def resolve(requested: str = "auto", device: Any = None) -> str:
    """``"fp32"`` or ``"bf16"`` for ``requested`` on ``device`` (default: CUDA when present, else CPU).

    ``bf16`` on a device without bf16 kernels is an error that says so; ``auto`` follows the module docstring.
    """
    check(requested)
    kind = getattr(device, "type", device) or _default_device()
    if requested == "fp32":
        return "fp32"
    if requested == "bf16":
        if not bf16_supported(kind):
            raise ConfigError(f"--precision bf16: this {kind} has no bf16 kernels; use --precision fp32 or auto")
        return "bf16"
    if kind == "cuda":
        return "bf16" if bf16_supported("cuda") else "fp32"
    return "fp32"


def why(precision: str, requested: str) -> str:
    """One line on how ``precision`` was chosen from ``requested`` (for logs and run files)."""
    if requested != "auto":
        return f"{precision} (asked for)"
    if _default_device() == "cuda":
        return f"{precision} (auto: CUDA {'with' if precision == 'bf16' else 'without'} bf16)"
    return "fp32 (auto: a CPU trains in fp32; bf16 moves the KL a policy reaches, so only --precision bf16 uses it)"


def trained_in(described: str | None) -> str:
    """The training precision (``fp32`` or ``bf16``) of a run file's ``config.precision`` line (absent: fp32)."""
    return (described or "fp32").split()[0]


def fp32_head(head: Any) -> Any:
    """``head`` (a ``torch.nn.Linear``) computing in fp32 even under bf16 autocast: its input is cast up and its
    matmul runs with autocast off. Keeps its parameters (tied embeddings stay tied, state-dict keys unchanged).
    Returns ``head``."""
    import types

    import torch

    if getattr(head, "_rewardbench_fp32", False):
        return head

    def forward(self: Any, hidden: Any) -> Any:
        with torch.autocast(hidden.device.type, enabled=False):
            bias = None if self.bias is None else self.bias.float()
            return torch.nn.functional.linear(hidden.float(), self.weight.float(), bias)

    head.forward = types.MethodType(forward, head)
    head._rewardbench_fp32 = True
    return head


def fp32_logits(model: Any) -> Any:
    """``model`` with its output head in fp32 (:func:`fp32_head`): every log-prob, importance ratio and KL term a
    trainer builds from its logits is then fp32 (as verl and OpenRLHF compute them), while the transformer blocks
    keep their bf16 matmuls. Returns ``model``."""
    fp32_head(model.get_output_embeddings())
    return model


@contextlib.contextmanager
def autocast(precision: str, device: Any = None) -> Iterator[None]:
    """bf16 autocast on ``device`` when ``precision`` is ``"bf16"``; nothing for fp32."""
    import torch

    kind = getattr(device, "type", device) or _default_device()
    with torch.autocast(kind, dtype=torch.bfloat16, enabled=precision == "bf16"):
        yield


def _default_device() -> str:
    """``"cuda"`` when present, else ``"cpu"`` (as :func:`rewardbench.runtime.models.default_device`, which imports
    this module's users)."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def torch_dtype(name: str | None) -> Any:
    """The torch dtype of a reward's ``dtype`` option (``None``: the device default), or a ConfigError."""
    import torch

    if name is None:
        return None
    table = {"float32": torch.float32, "fp32": torch.float32, "bfloat16": torch.bfloat16, "bf16": torch.bfloat16}
    if name not in table:
        raise ConfigError(f"dtype must be 'float32' or 'bfloat16'; got {name!r}")
    return table[name]
