"""``export(run_dir, out)``: a run's trained policy as a plain Hugging Face model folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from rewardbench.errors import ConfigError
from rewardbench.policies import POLICIES
from rewardbench.steering.metrics.kl import kl_value
from rewardbench.steering.results import final_point, load_run


def export(run_dir: str | Path, out: str | Path) -> Path:
    """Copy the trained model of ``run_dir`` to ``out`` with a README naming its run.

    Raises:
        ConfigError: the folder is not a finished run, the run kept no model (reference, best-of-n, or
            ``--no-keep-policy``), or ``out`` already exists.
    """
    run_dir, out = Path(run_dir), Path(out)
    result_path = run_dir / "result.json"
    if not result_path.is_file():
        raise ConfigError(f"{run_dir} is not a finished run (no result.json); runs live in RESULTS/TASK/runs/NAME")
    result = load_run(result_path)
    policy = run_dir / "policy"
    if not (policy / "config.json").is_file():
        kind = result["policy"]["id"]
        why = (
            "it samples the untrained model; export that model instead"
            if kind in POLICIES and not POLICIES.get(kind).trains
            else "its model was deleted (--no-keep-policy)"
        )
        raise ConfigError(f"run {run_dir.name} has no trained model to export: {why}")
    if out.exists():
        raise ConfigError(f"{out} already exists; choose a new folder")
    tmp = out.with_name(f".{out.name}.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(policy, tmp)
    m = final_point(result)["metrics"]
    (tmp / "README.md").write_text(
        f"# {result['policy']['id']} on {result['task']['id']} (seed {result['seed']})\n\n"
        f"Trained by rewardbench with reward `{result['reward']['label']}` v{result['reward']['version']} from "
        f"`{result['policy']['model']['spec']}`.\nHeld-out training reward {m['train_reward']['mean']:.4f}, "
        f"KL from the reference {kl_value(m['kl']):.3f} nats per completion ({m['kl']['kind']}).\n"
        "Load it with `AutoModelForCausalLM.from_pretrained(this_folder)`.\n",
        encoding="utf-8",
    )
    tmp.rename(out)
    return out
