"""Task definitions: the frozen dataclasses a task YAML file loads into (:mod:`rewardbench.tasks.loader`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rewardbench.errors import ConfigError
from rewardbench.options import SHORTHAND
from rewardbench.rewards import Reward, load_reward
from rewardbench.runtime.lm import Sampling
from rewardbench.runtime.models import SOURCES

PROMPT_SOURCES = ("inline", "tweets", "imdb", "documents")


@dataclass(frozen=True)
class RewardSpec:
    """A reward of the zoo with its constructor options."""

    id: str  #: registry id, model folder or hub id (see ``rewardbench list rewards``)
    options: dict[str, Any] = field(default_factory=dict)  #: keyword options, e.g. ``{target: negative}``

    def load(self) -> Reward:
        return load_reward(self.id, **self.options)

    @property
    def label(self) -> str:
        """Short display name: the id plus a target (or a summary-fill estimator) if one is set."""
        qualifier = self.options.get("target") or self.options.get("estimator")
        return f"{self.id}:{qualifier}" if qualifier else self.id


SHORTHAND[RewardSpec] = "id"  # ``judges: [vader]`` is ``judges: [{id: vader}]``


@dataclass(frozen=True)
class PromptSpec:
    """Where prompts come from and how they split into training and held-out sets."""

    source: str  #: inline, tweets, imdb, or documents (aclsum embedded, summarize_from_feedback posts with the hub)
    items: tuple[str, ...] = ()  #: the prompts themselves (source ``inline``)
    #: hub id or local folder for ``load_dataset`` (``imdb``, and ``documents`` with the hub)
    dataset: str | None = None
    min_tokens: int = 2  #: shortest prefix in policy tokens (sources ``tweets``, ``imdb``: the TRL LengthSampler)
    max_tokens: int = 8  #: longest prefix in policy tokens
    min_chars: int = 200  #: ``imdb``: only reviews longer than this (the TRL lab's filter)
    template: str = "{document}\n\nTL;DR:"  #: ``documents``: how a document becomes a prompt
    max_document_words: int = 120  #: ``documents``: documents are cut to this many words
    control_codes: tuple[str, ...] = ()  #: prefix each prompt with one of these codes, e.g. ``[negative]``
    heldout_fraction: float = 0.25  #: share of prompts kept for evaluation (never trained on)
    split_seed: int = 0  #: seed of the train/held-out split and of prefix lengths


@dataclass(frozen=True)
class GenerationSpec:
    """Sampling settings shared by training and evaluation (TextRL's and TRL's options)."""

    max_new_tokens: int = 16  #: completion length in tokens
    temperature: float = 1.0  #: softmax temperature
    top_k: int = 0  #: keep the k most likely tokens (0: all; PPO's importance ratios assume all)
    top_p: float = 1.0  #: nucleus sampling mass (1.0: all)
    repetition_penalty: float = 1.0  #: CTRL-style penalty on tokens already present (1.0: none)

    def sampling(self) -> Sampling:
        """The logits processing these settings apply, to score tokens as the sampler drew them."""
        return Sampling(
            temperature=self.temperature,
            top_k=self.top_k,
            top_p=self.top_p,
            repetition_penalty=self.repetition_penalty,
        )


@dataclass(frozen=True)
class Preset:
    """How much work a run does; ``cpu`` fits 2 cores in minutes, ``gpu`` is the seeds' scale."""

    policies: tuple[str, ...]  #: policies trained by default (``--policy`` overrides)
    #: rewards trained on, each the task's reward or one of its judges by id or label (e.g. ``vader``), with the
    #: task's options for it; several make the leaderboard a cross-reward matrix (default: the task's reward)
    rewards: tuple[str, ...] = ()
    train_prompts: int = 64  #: training prompts drawn from the training split (0: all)
    eval_prompts: int = 16  #: held-out prompts evaluated (0: all)
    samples_per_prompt: int = 4  #: completions sampled per held-out prompt
    batch_size: int = 8  #: prompts per training step
    steps: int = 20  #: training steps (optimiser rounds over one batch of rollouts)
    learning_rate: float = 3e-5  #: learning rate of every trainer unless a policy option overrides it
    eval_points: int = 4  #: evaluations of each trained policy at evenly spaced steps, the last one included
    #: KL targets (nats per completion): a trained policy is also evaluated after the first step at which a probe
    #: of its KL on training prompts reaches each (:mod:`rewardbench.steering.kl_probe`); empty: steps only
    eval_kl: tuple[float, ...] = ()
    kl_probe_prompts: int = 16  #: training prompts the KL probe samples once each after every step
    run_cpus: int = 1  #: CPU cores one run needs (its torch threads; a Ray task's ``num_cpus``)
    run_gpus: float = 0.0  #: GPUs one run needs (a Ray task's ``num_gpus``)
    policy_options: dict[str, dict[str, Any]] = field(default_factory=dict)  #: per-policy option overrides


@dataclass(frozen=True)
class Task:
    """One steering task: prompts, generation settings, models and rewards, and presets."""

    id: str  #: task id (the YAML file's stem)
    description: str  #: one paragraph for the report
    prompts: PromptSpec  #: where prompts come from
    model: dict[str, str]  #: policy model per source (``embedded`` / ``hub``)
    reward: dict[str, RewardSpec]  #: the reward trained on, per source
    presets: dict[str, Preset]  #: at least ``cpu``
    judges: tuple[RewardSpec, ...] = ()  #: rewards that evaluate the result but are not trained on
    judge_lm: dict[str, str] = field(default_factory=dict)  #: fluency judge LM per source (default: the policy model)
    generation: GenerationSpec = GenerationSpec()  #: sampling settings
    matched_kl: float = 1.0  #: KL (nats per completion) at which the leaderboard compares methods
    #: prompts every policy is also sampled on after its last evaluation, shown side by side in the report (a seed's
    #: own prompt, e.g. TextRL's "i think dogecoin is"); a training prompt may be one: they are not measured
    showcase: tuple[str, ...] = ()
    path: str = ""  #: the YAML file this came from

    def sources(self) -> list[str]:
        """Sources this task can run on (those with both a model and a reward)."""
        return [s for s in SOURCES if s in self.model and s in self.reward]

    def check_source(self, source: str) -> None:
        if source not in SOURCES:
            raise ConfigError(f"unknown source {source!r}; use one of {', '.join(SOURCES)}")
        if source not in self.sources():
            raise ConfigError(
                f"task {self.id!r} has no {source} setting (it runs on: {', '.join(self.sources())}); "
                + (
                    "it needs the Hugging Face hub: pass --source hub"
                    if source == "embedded"
                    else "pass --source embedded"
                )
            )

    def preset(self, name: str) -> Preset:
        if name not in self.presets:
            raise ConfigError(f"task {self.id!r} has no preset {name!r} (presets: {', '.join(self.presets)})")
        return self.presets[name]
