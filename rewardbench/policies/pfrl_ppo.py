"""PPO from PFRL 0.4.0 in the TextRL design: a token-level environment and a trainable head on a frozen LM.

The environment (:class:`TokenEnv`) is the text being written: the observation is the frozen LM's last hidden state
at the end of the prompt-and-tokens-so-far (plus the token history, for the repetition penalty), the action is the
next token, and the reward arrives at the end of the sequence from the zoo through :meth:`TokenEnv.get_reward`
(TextRL's hook). The policy is a copy of the LM's output head, trained; the value function is a small MLP on the same
hidden state. Sampling applies TextRL's options in the order ``generate`` does: repetition penalty, temperature,
top-k, top-p. The trained policy is the LM with its head replaced, so it exports as a plain Hugging Face model.

Two recipes (option ``recipe``). ``textrl`` is TextRL 0.2's ``TextRLActor.agent_ppo``: it trains the model's own
output layer (tied to the input embeddings in GPT-2 and SmolLM2, so the observations move with it) with SGD at lr
3e-6, gamma 0.95, GAE lambda 1, a value head of three linear layers (hidden -> hidden/2 -> hidden/4 -> 1, no
activation), standardised advantages and no repetition penalty (the task's sampling settings apply). ``tuned``, the
default, keeps the design but trains an untied copy of the head with Adam and an MLP value head, at gamma 1 (the
reward comes once, at the end: discounting only shrinks it for early tokens) and lambda 0.95; the untied copy leaves
the frozen LM's hidden states, and so the observations, fixed. It stays the default because it learns where TextRL's
does not: on ``dogecoin_negative``'s training prompts (``run --tune``, seed 0, 24 updates, 18 prompts x 8 samples,
embedded SmolLM2; README "Tuning the cpu presets") TextRL's recipe at its lr 3e-6 left the policy where it started
(KL 0.000, reward 0.197, the reference's), while the tuned recipe at lr 1e-4 reached 0.233 at KL 2.7 with distinct-2
0.92 (at lr 1e-3 it collapsed into one repeated word). Any field given explicitly wins over the recipe's value.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from rewardbench.errors import ConfigError
from rewardbench.policies.base import CommonOptions, Policy
from rewardbench.policies.training import load_trainable_lm, policy_tokenizer, seed_everything
from rewardbench.registry import did_you_mean
from rewardbench.runtime.lm import left_pad, process_logits
from rewardbench.runtime.precision import autocast
from rewardbench.tasks.prompts import Prompt, columns_for
from rewardbench.tasks.spec import GenerationSpec


@dataclass(frozen=True)
class PfrlPPOOptions(CommonOptions):
    #: defaults for the fields left unset: tuned (this project's) or textrl (TextRL 0.2's agent_ppo); see the module
    recipe: str = "tuned"
    update_interval: int = 0  #: transitions (tokens) per PPO update (0: batch size x max new tokens)
    minibatch_size: int = 32  #: transitions per PPO minibatch
    epochs: int = 4  #: PPO epochs per update
    clip_eps: float = 0.2  #: PPO ratio clip
    entropy_coef: float = 0.0  #: entropy bonus
    value_func_coef: float = 1.0  #: value-loss weight
    gamma: float | None = None  #: discount (tuned 1.0: the reward comes once, at the end; textrl 0.95)
    lambd: float | None = None  #: GAE lambda (tuned 0.95; textrl 1.0)
    optimizer: str | None = None  #: adam (tuned) or sgd (textrl)
    head: str | None = None  #: copy (train an untied copy of the output layer) or own (the LM's own; textrl)
    value_head: str | None = None  #: mlp (one tanh hidden layer; tuned) or linear (three linear layers; textrl)
    value_hidden: int = 256  #: width of the mlp value head
    max_grad_norm: float = 1.0  #: gradient clipping


#: What each recipe sets for the fields left unset, learning rate included (textrl: its agent_ppo default).
RECIPES: dict[str, dict[str, Any]] = {
    "tuned": {"gamma": 1.0, "lambd": 0.95, "optimizer": "adam", "head": "copy", "value_head": "mlp"},
    "textrl": {
        "gamma": 0.95,
        "lambd": 1.0,
        "optimizer": "sgd",
        "head": "own",
        "value_head": "linear",
        "learning_rate": 3e-6,
    },
}
CHOICES = {"optimizer": ("adam", "sgd"), "head": ("copy", "own"), "value_head": ("mlp", "linear")}


def resolve_recipe(options: PfrlPPOOptions) -> dict[str, Any]:
    """The recipe's values with every explicitly set field on top (``learning_rate`` None: the recipe's, if any).

    Raises:
        ConfigError: an unknown recipe or choice, with the valid ones.
    """
    if options.recipe not in RECIPES:
        raise ConfigError(
            f"pfrl-ppo: recipe {options.recipe!r} is not one of {', '.join(RECIPES)}"
            f"{did_you_mean(options.recipe, RECIPES)}"
        )
    values = dict(RECIPES[options.recipe])
    for key in (*RECIPES["tuned"], "learning_rate"):
        if getattr(options, key) is not None:
            values[key] = getattr(options, key)
    for key, allowed in CHOICES.items():
        if values[key] not in allowed:
            raise ConfigError(f"pfrl-ppo: {key} {values[key]!r} is not one of {', '.join(allowed)}")
    return values


def value_head(kind: str, width: int, hidden: int) -> nn.Module:
    """The value function on the hidden state: an MLP, or TextRL's three linear layers without activation."""
    if kind == "linear":
        return nn.Sequential(nn.Linear(width, width // 2), nn.Linear(width // 2, width // 4), nn.Linear(width // 4, 1))
    return nn.Sequential(nn.Linear(width, hidden), nn.Tanh(), nn.Linear(hidden, 1))


def filter_logits(logits: torch.Tensor, history: torch.Tensor, gen: GenerationSpec) -> torch.Tensor:
    """Apply ``generate``'s repetition penalty, temperature, top-k and top-p to a batch of next-token logits.

    Args:
        history: token ids already in each sequence, padded with -1 (padding is never penalised).
    """
    return process_logits(logits, history, gen.sampling())


class TextRLModel(nn.Module):
    """pfrl model: observation (hidden state, history) -> (next-token distribution, value)."""

    def __init__(self, head: nn.Module, gen: GenerationSpec, value: nn.Module) -> None:
        super().__init__()
        self.head, self.value = head, value
        self.gen = gen
        self.last_logits: torch.Tensor | None = None  #: filtered logits of the last forward without gradients

    def forward(self, obs: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.distributions.Categorical, torch.Tensor]:
        hidden, history = obs
        # the policy's distribution and value in fp32 whatever the training precision: the log-probs, ratios and
        # value targets of the objective come from them (the LM's blocks, in TokenEnv, run in bf16 when asked)
        logits, value = self.head(hidden.float()), self.value(hidden.float())
        logits = filter_logits(logits, history, self.gen)
        if not torch.is_grad_enabled():  # acting: kept for the per-token KL, saving a second pass over the head
            self.last_logits = logits
        return torch.distributions.Categorical(logits=logits), value


class TokenEnv:
    """A batch of text-writing environments in the TextRL style, with pfrl's old step API.

    Each slot holds one prompt and the tokens generated so far; ``step`` appends one token per slot and returns
    ``(observations, rewards, dones, infos)``. A slot is done at eos or after ``max_new_tokens``; its reward comes from
    :meth:`get_reward`, and the next :meth:`reset_done` starts it on a new prompt (cycled in a seeded order).
    """

    def __init__(
        self,
        lm: Any,
        tokenizer: Any,
        prompts: list[Prompt],
        reward: Any,
        gen: GenerationSpec,
        n_envs: int,
        seed: int,
        precision: str = "fp32",
    ) -> None:
        self.lm, self.tok, self.prompts, self.reward, self.gen = lm, tokenizer, prompts, reward, gen
        self.precision = precision
        self.n_envs = n_envs
        self.encoded = [tokenizer(p.text)["input_ids"] for p in prompts]
        self.history_width = max(len(ids) for ids in self.encoded) + gen.max_new_tokens
        self._rng = random.Random(seed)
        self._order: list[int] = []
        self.slots: list[dict[str, Any]] = [self._new_slot() for _ in range(n_envs)]
        self.finished: list[dict[str, Any]] = []  #: finished episodes since the caller last cleared it
        self._cache: Any = None  # the LM's key/value cache of the current slots, and what it was built for
        self._cache_lengths: list[int] = []
        self._mask = self._positions = torch.zeros(0)

    def _next_prompt(self) -> int:
        if not self._order:
            self._order = list(range(len(self.prompts)))
            self._rng.shuffle(self._order)
        return self._order.pop()

    def _new_slot(self) -> dict[str, Any]:
        index = self._next_prompt()
        return {"prompt": index, "ids": list(self.encoded[index]), "new": []}

    @torch.no_grad()
    def observe(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Hidden state at the last position of every slot, from one batched forward pass of the frozen LM.

        While every slot has grown by exactly one token since the last call, only those tokens go through the LM,
        attending to the cached keys and values of the rest; otherwise (the first call, or after
        :meth:`reset_done` started new prompts) the whole left-padded batch is encoded again.
        """
        seqs = [s["ids"] for s in self.slots]
        device = next(self.lm.parameters()).device
        lengths = [len(seq) for seq in seqs]
        if self._cache is not None and all(n == m + 1 for n, m in zip(lengths, self._cache_lengths)):
            mask = torch.cat([self._mask, self._mask.new_ones((len(seqs), 1))], dim=1)
            positions = self._positions[:, -1:] + 1
            inputs = {"input_ids": torch.tensor([[seq[-1]] for seq in seqs], device=device)}
        else:
            batch = left_pad(self.tok, seqs).to(device)
            mask = batch["attention_mask"]
            positions = (mask.cumsum(1) - 1).clamp(min=0)
            inputs = {"input_ids": batch["input_ids"]}
            self._cache = None
        with autocast(self.precision, device):
            out = self.lm.base_model(
                **inputs, attention_mask=mask, position_ids=positions, past_key_values=self._cache, use_cache=True
            )
        self._cache, self._cache_lengths, self._mask, self._positions = out.past_key_values, lengths, mask, positions
        hidden = out.last_hidden_state[:, -1].float()
        obs = []
        for row, seq in enumerate(seqs):
            history = torch.full((self.history_width,), -1, dtype=torch.long)
            history[: len(seq)] = torch.tensor(seq[-self.history_width :])
            obs.append((hidden[row], history.to(device)))
        return obs

    def get_reward(self, prompts: list[Prompt], completions: list[str]) -> list[float]:
        """TextRL's hook: the zoo reward of finished completions (called once per batch of finished slots)."""
        return list(
            self.reward(
                prompts=[p.text for p in prompts],
                completions=completions,
                **columns_for(prompts, list(range(len(prompts)))),
            )
        )

    def step(self, actions: list[int]) -> tuple[list[Any], list[float], list[bool], list[dict[str, Any]]]:
        dones = []
        for slot, action in zip(self.slots, actions):
            slot["ids"].append(int(action))
            slot["new"].append(int(action))
            dones.append(int(action) == self.tok.eos_token_id or len(slot["new"]) >= self.gen.max_new_tokens)
        rewards = [0.0] * self.n_envs
        done_rows = [i for i, d in enumerate(dones) if d]
        if done_rows:
            prompts = [self.prompts[self.slots[i]["prompt"]] for i in done_rows]
            texts = [self.tok.decode(self.slots[i]["new"], skip_special_tokens=True) for i in done_rows]
            for i, score, text in zip(done_rows, self.get_reward(prompts, texts), texts):
                rewards[i] = float(score)
                self.finished.append({"prompt": self.slots[i]["prompt"], "completion": text, "reward": float(score)})
        return self.observe(), rewards, dones, [{} for _ in dones]

    def reset_done(self, dones: list[bool]) -> list[Any]:
        """Start every finished slot on a new prompt; returns the new observations."""
        for i, done in enumerate(dones):
            if done:
                self.slots[i] = self._new_slot()
        self._cache = None
        return self.observe()


class PfrlPPOPolicy(Policy):
    id = "pfrl-ppo"
    requires = ("pfrl", "gym")
    options_class = PfrlPPOOptions

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.recipe = resolve_recipe(self.options)
        if self.options.trainable_layers:
            raise ConfigError(
                "pfrl-ppo: trainable_layers is not supported; it trains the output head on hidden "
                "states computed once per token by the frozen LM (TextRL's default)"
            )

    @property
    def learning_rate(self) -> float:
        """An explicit ``learning_rate`` option, else the recipe's (textrl: 3e-6), else the preset's."""
        return self.recipe.get("learning_rate") or self.ctx.preset.learning_rate

    def train(self) -> None:
        import pfrl

        o, ctx, r = self.options, self.ctx, self.recipe
        seed_everything(ctx.seed)
        tok = policy_tokenizer(ctx.model)
        lm = load_trainable_lm(ctx.model).eval()
        for p in lm.parameters():
            p.requires_grad_(False)
        device = next(lm.parameters()).device
        own = lm.get_output_embeddings()
        frozen = _linear_copy(own.weight.detach().float())  # on the LM's device: the reference or the trained head
        if r["head"] == "own":  # TextRL: the LM's own layer (tied: its input embeddings move with it)
            own.weight.requires_grad_(True)
            head, ref_head = own, frozen
        else:
            head, ref_head = frozen, own
        value = value_head(r["value_head"], head.weight.shape[1], o.value_hidden)
        net = TextRLModel(head, ctx.generation, value).to(device)
        optimizer = (
            torch.optim.SGD(net.parameters(), lr=self.learning_rate)
            if r["optimizer"] == "sgd"
            else torch.optim.Adam(net.parameters(), lr=self.learning_rate, eps=1e-5)
        )
        agent = pfrl.agents.PPO(
            net,
            optimizer,
            gpu=device.index if device.type == "cuda" else None,
            gamma=r["gamma"],
            lambd=r["lambd"],
            value_func_coef=o.value_func_coef,
            entropy_coef=o.entropy_coef,
            update_interval=o.update_interval or self.batch_size * ctx.generation.max_new_tokens,
            minibatch_size=o.minibatch_size,
            epochs=o.epochs,
            clip_eps=o.clip_eps,
            max_grad_norm=o.max_grad_norm,
        )
        env = TokenEnv(
            lm, tok, ctx.train_prompts, ctx.reward, ctx.generation, self.batch_size, ctx.seed, ctx.precision
        )
        obs = env.observe()
        kl_sum = [0.0] * env.n_envs
        episode_kls: list[float] = []
        bar = _progress(self.steps, ctx.progress)
        rounds = 0  # pfrl's n_updates counts minibatch steps; a round is one PPO update over update_interval tokens
        while rounds < self.steps:
            actions = agent.batch_act(obs)
            deltas = sampled_token_kl(net.last_logits, ref_head, obs, actions, ctx.generation)
            obs, rewards, dones, _ = env.step(list(actions))
            for i, delta in enumerate(deltas):
                kl_sum[i] += delta
                if dones[i]:
                    episode_kls.append(kl_sum[i])
                    kl_sum[i] = 0.0
            updates_before = agent.n_updates
            agent.batch_observe(obs, rewards, dones, [False] * env.n_envs)
            if any(dones):
                obs = env.reset_done(dones)
            if agent.n_updates > updates_before:
                rounds += 1
                stats = dict(agent.get_statistics())
                finished = env.finished
                self.record(
                    rounds,
                    completions=len(finished),
                    reward=sum(e["reward"] for e in finished) / max(1, len(finished)),
                    kl=sum(episode_kls) / max(1, len(episode_kls)),
                    loss=stats.get("average_policy_loss"),
                    value_loss=stats.get("average_value_loss"),
                    entropy=stats.get("average_entropy"),
                )
                env.finished, episode_kls = [], []
                bar.update(1)
                if self.wants_eval(rounds):  # measure the policy as it is now: the LM with the trained head
                    with _head_swapped(lm, net.head):
                        self.eval_point(rounds, lm)
        bar.close()
        if r["head"] == "own":
            own.weight.requires_grad_(False)
            self.trained = lm.eval()
        else:
            self.trained = _with_head(lm, net.head.weight.detach())


@torch.no_grad()
def sampled_token_kl(
    logits: torch.Tensor,
    ref_head: nn.Module,
    obs: list[tuple[torch.Tensor, torch.Tensor]],
    actions: Any,
    gen: GenerationSpec,
) -> list[float]:
    """Per-slot k1 KL term of the sampled tokens, log p_policy - log p_reference, for the training curve.

    Args:
        logits: the policy's filtered logits the actions were sampled from (``TextRLModel.last_logits``).
    """
    hidden = torch.stack([h for h, _ in obs])
    history = torch.stack([hist for _, hist in obs])
    act = torch.as_tensor(actions, device=hidden.device)[:, None]
    logp = torch.log_softmax(logits, -1).gather(1, act)
    logq = torch.log_softmax(filter_logits(ref_head(hidden), history, gen), -1).gather(1, act)
    return (logp - logq).squeeze(1).tolist()


@contextlib.contextmanager
def _head_swapped(lm: Any, head: nn.Module) -> Iterator[None]:
    """``lm`` with ``head`` as its output layer for the block (the frozen LM's hidden states are unchanged)."""
    original = lm.get_output_embeddings()
    lm.set_output_embeddings(head)
    try:
        yield
    finally:
        lm.set_output_embeddings(original)


def _linear_copy(weight: torch.Tensor) -> nn.Linear:
    """A bias-free output layer holding a copy of ``weight`` (vocab x width)."""
    vocab, width = weight.shape
    head = nn.Linear(width, vocab, bias=False).to(weight.device)
    with torch.no_grad():
        head.weight.copy_(weight)
    return head


def _with_head(lm: Any, weight: torch.Tensor) -> Any:
    """The LM with its output head replaced by ``weight`` and untied from the input embeddings."""
    head = _linear_copy(weight)
    lm.config.tie_word_embeddings = False
    if hasattr(lm, "_tied_weights_keys"):
        lm._tied_weights_keys = None
    lm.set_output_embeddings(head)
    return lm.eval()


def _progress(total: int, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="pfrl-ppo updates", disable=not enabled)
