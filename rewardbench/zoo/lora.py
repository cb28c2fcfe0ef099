"""Low-rank adapters as shipped weights: extract them from a trained peft model, merge them the same on every CPU.

A shipped adapter file holds, for each adapted linear layer ``NAME`` of the base model, ``NAME.lora_A`` (r x in)
and ``NAME.lora_B`` (out x r), plus whole tensors (``NAME`` itself) for the modules trained in full (a
classification head). Its metadata holds the scaling (``lora_alpha / r``).

:func:`merge` forms ``W + scaling * B @ A`` in float64 from rank-1 terms in a fixed order, with elementwise
operations only (each one correctly rounded by IEEE 754 whatever the SIMD width or BLAS), then rounds once to
float32: the merged weights are the same bits on every CPU, so a model assembled from the same base file and the
same adapter file is the same model everywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rewardbench.errors import ModelSourceError

A, B = ".lora_A", ".lora_B"


def extract(peft_model: Any) -> tuple[dict[str, Any], float]:
    """The adapters (``NAME.lora_A``/``NAME.lora_B``, named as in the base model) and the fully trained modules of
    a peft ``LoraModel``, as float32 CPU tensors, and the scaling they share."""
    from peft.tuners.lora import Linear as LoraLinear

    tensors: dict[str, Any] = {}
    scalings = set()
    prefix = "base_model.model."
    for name, module in peft_model.named_modules():
        if isinstance(module, LoraLinear):
            base = name.removeprefix(prefix) + ".weight"
            tensors[base + A] = module.lora_A["default"].weight.detach().float().cpu().contiguous()
            tensors[base + B] = module.lora_B["default"].weight.detach().float().cpu().contiguous()
            scalings.add(float(module.scaling["default"]))
    for name, param in peft_model.named_parameters():
        if ".modules_to_save.default." in name:
            base = name.removeprefix(prefix).replace(".modules_to_save.default.", ".")
            tensors[base] = param.detach().float().cpu().contiguous()
    if len(scalings) != 1:
        raise ValueError(f"expected one LoRA scaling for every layer, got {sorted(scalings)}")
    return tensors, scalings.pop()


def save(path: Path, tensors: dict[str, Any], scaling: float) -> None:
    from safetensors.torch import save_file

    save_file(dict(sorted(tensors.items())), str(path), metadata={"lora_scaling": repr(scaling)})


def merge(state: dict[str, Any], path: Path) -> dict[str, Any]:
    """``state`` (a base model's float32 state dict) with the adapter file at ``path`` merged in: adapted weights
    become ``W + scaling * B @ A``, whole tensors replace or add to the state. Bit-identical on every CPU."""
    import torch
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as fh:
        scaling = float(fh.metadata()["lora_scaling"])
        shipped = {k: fh.get_tensor(k) for k in fh.keys()}
    merged = dict(state)
    adapted = sorted(k.removesuffix(A) for k in shipped if k.endswith(A))
    for name in adapted:
        if name not in state:
            raise ModelSourceError(f"{path.name}: adapter for {name!r}, which the base model does not have")
        lora_a, lora_b = shipped[name + A].double(), shipped[name + B].double()
        delta = torch.zeros(lora_b.shape[0], lora_a.shape[1], dtype=torch.float64)
        for k in range(lora_a.shape[0]):  # rank-1 terms, elementwise: no BLAS, so no kernel-dependent rounding
            delta += lora_b[:, k : k + 1] * lora_a[k : k + 1, :]
        merged[name] = (state[name].double() + delta * scaling).float()
    for name, tensor in shipped.items():
        if not name.endswith((A, B)):
            merged[name] = tensor
    return merged
