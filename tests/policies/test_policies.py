"""Every policy on a tiny Llama: training changes parameters and moves a learnable reward the right way."""

from __future__ import annotations

import math

import pytest
import torch

from rewardbench.policies import POLICIES, RunContext
from rewardbench.policies.training import policy_tokenizer
from rewardbench.steering.metrics.kl import kl_estimates
from rewardbench.steering.sampling import sample, token_logprobs
from rewardbench.tasks import GenerationSpec, Preset
from rewardbench.tasks.prompts import Prompt
from tests.conftest import TINY_PROMPTS, contains_word_reward

PROMPTS = [Prompt(t) for t in TINY_PROMPTS[:8]]
GEN = GenerationSpec(max_new_tokens=6)

#: per-policy settings strong enough to move the tiny model in a few steps
TRAINING = {
    "trl-ppo": {"steps": 10, "learning_rate": 1e-2, "batch_size": 8, "num_ppo_epochs": 4, "kl_coef": 0.0},
    "pfrl-ppo": {"steps": 12, "learning_rate": 1e-2, "batch_size": 8},
    "trl-grpo": {"steps": 10, "learning_rate": 1e-2, "batch_size": 8, "num_generations": 4},
    "trl-rloo": {"steps": 16, "learning_rate": 1e-2, "batch_size": 8, "num_generations": 4, "beta": 0.0},
}


def _ctx(model: str, tmp_path, reward, **options) -> RunContext:
    return RunContext(
        model=model,
        reward=reward,
        train_prompts=PROMPTS,
        generation=GEN,
        preset=Preset(policies=("reference",), batch_size=8, steps=2),
        seed=0,
        work_dir=tmp_path,
        options=options,
        progress=False,
    )


def _mean_reward(model, tok, reward) -> float:
    samples = sample(model, tok, [p.text for p in PROMPTS], n=16, gen=GEN, seed=123)
    scores = reward(prompts=[PROMPTS[s.prompt_index].text for s in samples], completions=[s.text for s in samples])
    return sum(scores) / len(scores)


@pytest.mark.parametrize("policy_id", sorted(TRAINING))
def test_training_changes_parameters_and_raises_a_learnable_reward(policy_id, tiny_policy, tmp_path):
    from rewardbench.runtime import models

    reward = contains_word_reward("scam")
    tok = policy_tokenizer(tiny_policy)
    reference = models.load_causal_lm(tiny_policy)
    before = {k: v.clone() for k, v in reference.state_dict().items()}
    policy = POLICIES.get(policy_id)(_ctx(tiny_policy, tmp_path, reward, **TRAINING[policy_id]))
    policy.train()
    trained = policy.model()
    assert trained is not reference
    changed = [k for k, v in trained.state_dict().items() if k in before and not torch.equal(v, before[k])]
    assert changed, "training left every parameter unchanged"
    assert all(torch.equal(v, before[k]) for k, v in reference.state_dict().items()), "the reference was modified"
    assert policy.curve and all("reward" in row for row in policy.curve)
    base, after = _mean_reward(reference, tok, reward), _mean_reward(trained, tok, reward)
    assert after > base + 0.02, f"{policy_id}: reward {base:.3f} -> {after:.3f}"
    samples = sample(trained, tok, [p.text for p in PROMPTS], n=4, gen=GEN, seed=1)
    k1, k3 = kl_estimates(token_logprobs(trained, samples), token_logprobs(reference, samples))
    assert sum(k3) / len(k3) > 0 and sum(k1) / len(k1) > 0


def test_reference_policy_has_zero_kl_against_itself(tiny_policy, tmp_path):
    policy = POLICIES.get("reference")(_ctx(tiny_policy, tmp_path, contains_word_reward()))
    policy.train()
    model = policy.model()
    tok = policy_tokenizer(tiny_policy)
    samples = sample(model, tok, [p.text for p in PROMPTS], n=2, gen=GEN, seed=0)
    k1, k3 = kl_estimates(token_logprobs(model, samples), token_logprobs(model, samples))
    assert k1 == [0.0] * len(samples) and k3 == [0.0] * len(samples)


def test_best_of_n_reselects_every_n_from_one_sample_and_states_its_kl(tiny_policy, tmp_path):
    reward = contains_word_reward("scam")
    policy = POLICIES.get("best-of-n")(_ctx(tiny_policy, tmp_path, reward, n=4, ns=[1, 2, 4]))
    tok = policy_tokenizer(tiny_policy)
    raw = sample(policy.model(), tok, [p.text for p in PROMPTS], n=policy.samples_needed(2), gen=GEN, seed=0)
    assert len(raw) == len(PROMPTS) * 2 * 4  # groups of the largest n
    selections = policy.selections(PROMPTS, raw, 2)
    assert [s.label for s in selections] == ["n=1", "n=2", "n=4"] and [s.final for s in selections] == [0, 0, 1]
    scores = reward(prompts=[""] * len(raw), completions=[s.text for s in raw])
    for selection, n in zip(selections, (1, 2, 4)):
        assert len(selection.samples) == len(PROMPTS) * 2
        for g, chosen in enumerate(selection.samples):
            group = scores[4 * g : 4 * g + n]  # the first n of the group: one sample set for every n
            assert reward(prompts=[""], completions=[chosen.text])[0] == max(group)
            assert chosen.prompt_index == raw[4 * g].prompt_index
        assert selection.kl["bound"] == pytest.approx(math.log(n) - (n - 1) / n)
        assert 0 <= selection.kl["estimate"] <= selection.kl["bound"] + 1e-9
    assert selections[0].samples == raw[::4] and selections[0].kl["estimate"] == 0.0
    assert policy.kl_kind == "stated"


def test_eval_steps_are_spread_over_training_and_leave_training_unchanged(tiny_policy, tmp_path):
    seen = []
    reward = contains_word_reward("scam")
    ctx = _ctx(tiny_policy, tmp_path, reward, **TRAINING["pfrl-ppo"])
    policy = POLICIES.get("pfrl-ppo")(ctx)
    ctx.eval_steps = policy.eval_steps(3)
    assert ctx.eval_steps == tuple(sorted({round(policy.steps / 3), round(2 * policy.steps / 3)}))

    def on_eval(step, model):
        seen.append(step)
        torch.rand(1000)  # an evaluation that draws random numbers must not change training
        sample(model, policy_tokenizer(tiny_policy), ["cats"], n=2, gen=GEN, seed=7)

    ctx.on_eval = on_eval
    policy.train()
    again = POLICIES.get("pfrl-ppo")(_ctx(tiny_policy, tmp_path / "b", reward, **TRAINING["pfrl-ppo"]))
    again.train()
    assert seen == list(ctx.eval_steps)
    for a, b in zip(policy.model().parameters(), again.model().parameters()):
        assert torch.equal(a, b)


def test_generation_is_seeded_and_logprobs_match_a_direct_forward(tiny_policy):
    from rewardbench.runtime import models

    model, tok = models.load_causal_lm(tiny_policy), policy_tokenizer(tiny_policy)
    a = sample(model, tok, ["i think dogecoin is", "cats"], n=3, gen=GEN, seed=7)
    b = sample(model, tok, ["i think dogecoin is", "cats"], n=3, gen=GEN, seed=7)
    assert a == b and [s.prompt_index for s in a] == [0, 0, 0, 1, 1, 1]
    s = a[0]
    ids = torch.tensor([list(s.prompt_ids) + list(s.completion_ids)])
    with torch.no_grad():
        logp = torch.log_softmax(model(ids).logits[0], -1)
    expected = [logp[len(s.prompt_ids) - 1 + i, t].item() for i, t in enumerate(s.completion_ids)]
    assert token_logprobs(model, [s])[0] == pytest.approx(expected, abs=1e-5)


def test_pfrl_filter_logits_matches_generate_processors():
    from transformers import (
        LogitsProcessorList,
        RepetitionPenaltyLogitsProcessor,
        TemperatureLogitsWarper,
        TopKLogitsWarper,
        TopPLogitsWarper,
    )

    from rewardbench.policies.pfrl_ppo import filter_logits

    torch.manual_seed(0)
    logits = torch.randn(3, 20)
    history = torch.tensor([[1, 2, -1, -1], [5, 5, 6, -1], [0, 19, 3, 4]])
    gen = GenerationSpec(temperature=0.7, top_k=8, top_p=0.9, repetition_penalty=1.3)
    procs = LogitsProcessorList(
        [
            RepetitionPenaltyLogitsProcessor(1.3),
            TemperatureLogitsWarper(0.7),
            TopKLogitsWarper(8),
            TopPLogitsWarper(0.9),
        ]
    )
    for row in range(3):
        ids = history[row][history[row] >= 0][None]
        expected = procs(ids, logits[row : row + 1].clone())
        got = filter_logits(logits[row : row + 1], history[row : row + 1], gen)
        assert torch.equal(torch.isinf(got), torch.isinf(expected))
        assert torch.allclose(got[~torch.isinf(got)], expected[~torch.isinf(expected)], atol=1e-6)


def test_trl_reward_adapter_splits_prompt_and_completion(tiny_policy):
    from rewardbench.policies.trl_adapter import RewardAdapter

    tok = policy_tokenizer(tiny_policy)
    seen = {}

    def reward(*, prompts, completions, **columns):
        seen.update(prompts=prompts, completions=completions, columns=columns)
        return [float(len(c)) for c in completions]

    prompts = [Prompt("i think dogecoin is", {"documents": "doc a"}), Prompt("cats", {"documents": "doc b"})]
    encoded = [tok(p.text)["input_ids"] for p in prompts]
    width = max(len(e) for e in encoded)
    completion = tok("a scam", add_special_tokens=False)["input_ids"]
    rows = [[tok.pad_token_id] * (width - len(e)) + e + completion + [tok.pad_token_id] for e in encoded]
    ids = torch.tensor(rows)
    adapter = RewardAdapter(reward, tok, prompts, width)
    hidden = adapter.backbone(input_ids=ids, attention_mask=ids != tok.pad_token_id).hidden_states[-1]
    assert seen["prompts"] == ["i think dogecoin is", "cats"]
    assert seen["completions"] == ["a scam", "a scam"]
    assert seen["columns"] == {"documents": ["doc a", "doc b"]}
    assert hidden.shape == (2, ids.shape[1], 1) and torch.all(adapter.score(hidden) == 6.0)


def test_pfrl_env_cached_observations_equal_a_full_recompute(tiny_policy):
    """The token environment's key/value cache must not change what the policy sees."""
    from rewardbench.policies.pfrl_ppo import TokenEnv
    from rewardbench.runtime import models

    lm = models.load_causal_lm(tiny_policy)
    tok = policy_tokenizer(tiny_policy)
    prompts = [Prompt("the cat"), Prompt("a dog sat on the"), Prompt("scam")]
    gen = GenerationSpec(max_new_tokens=5)
    env = TokenEnv(lm, tok, prompts, contains_word_reward(), gen, n_envs=3, seed=0)
    fresh = TokenEnv(lm, tok, prompts, contains_word_reward(), gen, n_envs=3, seed=0)
    env.observe()
    widths = []
    hook = lm.base_model.register_forward_pre_hook(
        lambda _m, _a, kw: widths.append(kw["input_ids"].shape[1]), with_kwargs=True
    )
    for actions in ([5, 6, 7], [8, 9, 10], [11, 12, 13]):
        widths.clear()
        obs, _, dones, _ = env.step(actions)
        assert widths == [1]  # only the new tokens went through the LM
        for slot, action in zip(fresh.slots, actions):
            slot["ids"].append(action)
            slot["new"].append(action)
        fresh._cache = None
        expected = fresh.observe()
        assert env._cache_lengths == [len(s["ids"]) for s in env.slots]
        for (hidden, history), (want, want_history) in zip(obs, expected):
            torch.testing.assert_close(hidden, want, atol=1e-4, rtol=1e-4)
            assert torch.equal(history, want_history)
    widths.clear()
    env.reset_done([True, False, False])  # a new prompt in one slot: the next observation is a full recompute
    hook.remove()
    assert widths == [max(len(s["ids"]) for s in env.slots)]


# bf16 autocast runs on every CPU (without bf16 kernels through slower fallbacks), so the bf16 training path is
# exercised on every machine, not only where `--precision bf16` would be allowed
@pytest.mark.parametrize("policy_id", sorted(TRAINING))
def test_bf16_mixed_precision_computes_in_bf16_and_keeps_fp32_master_weights(policy_id, tiny_policy, tmp_path):
    curves = {}
    for precision in ("fp32", "bf16"):
        options = {**TRAINING[policy_id], "steps": 2}
        ctx = _ctx(tiny_policy, tmp_path / precision, contains_word_reward("scam"), **options)
        ctx.precision = precision
        policy = POLICIES.get(policy_id)(ctx)
        policy.train()
        assert all(p.dtype == torch.float32 for p in policy.model().parameters()), "master weights must stay fp32"
        curves[precision] = [{k: v for k, v in row.items() if isinstance(v, float)} for row in policy.curve]
    assert len(curves["bf16"]) == len(curves["fp32"]) == 2
    first = {k: (curves["fp32"][0][k], curves["bf16"][0][k]) for k in curves["fp32"][0] if k in ("loss", "entropy")}
    assert first and any(a != b for a, b in first.values()), f"bf16 computed exactly what fp32 did: {first}"


@pytest.mark.parametrize("policy_id", sorted(TRAINING))
def test_evaluation_points_of_a_bf16_run_are_measured_in_fp32(policy_id, tiny_policy, tmp_path):
    seen = []

    def measure(step, model):  # the dtype a linear layer computes in, inside the model's forward
        dtypes = []
        linear = next(m for m in model.modules() if isinstance(m, torch.nn.Linear))
        handle = linear.register_forward_hook(lambda module, args, out: dtypes.append(out.dtype))
        model(input_ids=torch.tensor([[1, 2, 3]]))
        handle.remove()
        seen.append((step, dtypes[0]))

    ctx = _ctx(tiny_policy, tmp_path, contains_word_reward("scam"), **{**TRAINING[policy_id], "steps": 2})
    ctx.precision, ctx.eval_steps, ctx.on_eval = "bf16", (1,), measure
    POLICIES.get(policy_id)(ctx).train()
    assert seen == [(1, torch.float32)]


@pytest.mark.parametrize("policy_id", sorted(TRAINING))
def test_bf16_training_builds_its_objective_from_fp32_logits_and_values(policy_id, tiny_policy, tmp_path):
    """Every output head (vocabulary logits, PPO's value head) computes in fp32 while the blocks run in bf16."""
    vocab = policy_tokenizer(tiny_policy).__len__()
    heads, blocks = [], []

    def record(module, args, out):
        if isinstance(module, torch.nn.Linear) and torch.is_tensor(out):
            (heads if module.out_features in (vocab, 1) else blocks).append(out.dtype)

    ctx = _ctx(tiny_policy, tmp_path, contains_word_reward("scam"), **{**TRAINING[policy_id], "steps": 2})
    ctx.precision = "bf16"
    handle = torch.nn.modules.module.register_module_forward_hook(record)
    try:
        POLICIES.get(policy_id)(ctx).train()
    finally:
        handle.remove()
    assert heads and set(heads) == {torch.float32}, f"{policy_id}: heads computed in {set(heads)}"
    assert torch.bfloat16 in blocks, f"{policy_id}: no block ran in bf16 ({set(blocks)})"


def test_pfrl_textrl_recipe_trains_the_lms_own_tied_head_with_sgd_and_textrls_settings(tiny_policy, tmp_path):
    """recipe=textrl is TextRL 0.2's agent_ppo: own (tied) head, SGD at 3e-6, gamma 0.95, lambda 1, linear value."""
    import pfrl

    from rewardbench.runtime import models

    seen: dict = {}
    original = pfrl.agents.PPO.__init__

    def spy(agent, model, optimizer, **kwargs):
        seen.update(model=model, optimizer=optimizer, **kwargs)
        original(agent, model, optimizer, **kwargs)

    reward = contains_word_reward("scam")
    ctx = _ctx(tiny_policy, tmp_path, reward, recipe="textrl", steps=2, batch_size=4, learning_rate=1e-1)
    policy = POLICIES.get("pfrl-ppo")(ctx)
    pfrl.agents.PPO.__init__ = spy
    try:
        policy.train()
    finally:
        pfrl.agents.PPO.__init__ = original
    assert isinstance(seen["optimizer"], torch.optim.SGD) and seen["optimizer"].defaults["lr"] == 1e-1
    assert seen["gamma"] == 0.95 and seen["lambd"] == 1.0
    layers = list(seen["model"].value)
    assert [type(m) for m in layers] == [torch.nn.Linear] * 3  # no activation: TextRL's value head
    width = layers[0].in_features
    assert [m.out_features for m in layers] == [width // 2, width // 4, 1]
    trained, reference = policy.model(), models.load_causal_lm(tiny_policy)
    head, embed = trained.get_output_embeddings().weight, trained.get_input_embeddings().weight
    assert head.data_ptr() == embed.data_ptr(), "the LM's own tied head was replaced by a copy"
    assert not torch.equal(head, reference.get_output_embeddings().weight), "the own head did not train"
    others = [k for k in reference.state_dict() if "embed" not in k and "lm_head" not in k]
    assert all(torch.equal(trained.state_dict()[k], reference.state_dict()[k]) for k in others)
    # the recipe's own learning rate when none is given; an explicit field beats the recipe
    lr = POLICIES.get("pfrl-ppo")(_ctx(tiny_policy, tmp_path / "b", reward, recipe="textrl", gamma=0.5))
    assert lr.learning_rate == 3e-6 and lr.recipe["gamma"] == 0.5 and lr.recipe["optimizer"] == "sgd"
    tuned = POLICIES.get("pfrl-ppo")(_ctx(tiny_policy, tmp_path / "c", reward))
    assert tuned.recipe == {"gamma": 1.0, "lambd": 0.95, "optimizer": "adam", "head": "copy", "value_head": "mlp"}
    assert tuned.learning_rate == tuned.ctx.preset.learning_rate


@pytest.mark.parametrize(
    ("options", "message"),
    [({"recipe": "textrI"}, "did you mean 'textrl'"), ({"optimizer": "rmsprop"}, "optimizer 'rmsprop' is not one of")],
)
def test_pfrl_bad_recipe_or_choice_names_the_valid_ones(options, message, tiny_policy, tmp_path):
    from rewardbench.errors import ConfigError

    with pytest.raises(ConfigError, match=message):
        POLICIES.get("pfrl-ppo")(_ctx(tiny_policy, tmp_path, contains_word_reward(), **options))
