"""runtime.lm: logits processing as generate does it, and the KL of the real sampling distribution."""

from __future__ import annotations

import math

import pytest
import torch

from rewardbench.runtime.lm import Sampling, process_logits
from rewardbench.steering.metrics.kl import kl_estimates
from rewardbench.steering.sampling import sample, token_logprobs
from rewardbench.tasks import GenerationSpec


def test_repetition_penalty_applies_to_token_0_in_a_padded_row():
    # the old pfrl filter wrote the padding's "not seen" over a real token 0 (scatter_ of clamped -1 entries)
    logits = torch.tensor([[2.0, -1.0, 3.0, 0.5]])
    got = process_logits(logits, torch.tensor([[0, 2, -1, -1]]), Sampling(repetition_penalty=2.0))
    assert got.tolist() == [[1.0, -1.0, 1.5, 0.5]]


@pytest.mark.parametrize(
    "sampling",
    [Sampling(temperature=0.7), Sampling(top_k=5, temperature=1.3), Sampling(top_p=0.8, repetition_penalty=1.3)],
)
def test_token_logprobs_equal_generates_processed_scores(tiny_policy, sampling):
    from rewardbench.policies.training import policy_tokenizer
    from rewardbench.runtime import models

    model, tok = models.load_causal_lm(tiny_policy), policy_tokenizer(tiny_policy)
    gen = GenerationSpec(
        max_new_tokens=6,
        temperature=sampling.temperature,
        top_k=sampling.top_k,
        top_p=sampling.top_p,
        repetition_penalty=sampling.repetition_penalty,
    )
    ids = tok(["i think dogecoin is"], return_tensors="pt")
    torch.manual_seed(3)
    out = model.generate(
        **ids,
        do_sample=True,
        max_new_tokens=6,
        temperature=gen.temperature,
        top_k=gen.top_k,
        top_p=gen.top_p,
        repetition_penalty=gen.repetition_penalty,
        output_scores=True,
        return_dict_in_generate=True,
        pad_token_id=tok.pad_token_id,
        eos_token_id=tok.eos_token_id,
    )
    new = out.sequences[0, ids["input_ids"].shape[1] :].tolist()
    if tok.eos_token_id in new:
        new = new[: new.index(tok.eos_token_id) + 1]
    expected = [torch.log_softmax(out.scores[t][0].float(), -1)[tok_id].item() for t, tok_id in enumerate(new)]
    from rewardbench.steering.sampling import Sample

    s = Sample(0, tuple(ids["input_ids"][0].tolist()), tuple(new), "")
    assert token_logprobs(model, [s], sampling=gen.sampling())[0] == pytest.approx(expected, abs=1e-4)
    if sampling.temperature != 1.0 or sampling.top_k:
        # scoring the model's own distribution instead estimates something else
        assert token_logprobs(model, [s])[0] != pytest.approx(expected, abs=1e-3)


@pytest.fixture(scope="module")
def few_token_lms(tmp_path_factory):
    """A reference LM over a 5-token vocabulary and a policy that is the same LM with logits scaled by 2.5.

    Scaling keeps every context's token order (and the repetition penalty is homogeneous), so top-k keeps the same
    tokens under both and the KL stays finite.
    """
    from tokenizers import Tokenizer, pre_tokenizers
    from tokenizers import models as tok_models
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    vocab = {"[EOS]": 0, "a": 1, "b": 2, "c": 3, "[UNK]": 4}
    raw = Tokenizer(tok_models.WordLevel(vocab, unk_token="[UNK]"))
    raw.pre_tokenizer = pre_tokenizers.Whitespace()
    tok = PreTrainedTokenizerFast(tokenizer_object=raw, eos_token="[EOS]", pad_token="[EOS]", unk_token="[UNK]")
    torch.manual_seed(1)
    config = LlamaConfig(
        vocab_size=5,
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=16,
        eos_token_id=0,
        pad_token_id=0,
        bos_token_id=None,
        tie_word_embeddings=False,
    )
    reference = LlamaForCausalLM(config).eval()
    with torch.no_grad():
        reference.lm_head.weight.mul_(4.0)  # peakier than a random init, so the KL is far from zero
    policy = LlamaForCausalLM(config).eval()
    policy.load_state_dict(reference.state_dict())
    with torch.no_grad():
        policy.lm_head.weight.mul_(2.5)
    return reference, policy, tok


def _exact_distribution(model, prompt_ids, gen):
    """Every completion and its probability under ``generate``'s processors, by enumeration (HF's own classes)."""
    from transformers import (
        LogitsProcessorList,
        RepetitionPenaltyLogitsProcessor,
        TemperatureLogitsWarper,
        TopKLogitsWarper,
    )

    procs = LogitsProcessorList(
        ([RepetitionPenaltyLogitsProcessor(gen.repetition_penalty)] if gen.repetition_penalty != 1.0 else [])
        + ([TemperatureLogitsWarper(gen.temperature)] if gen.temperature != 1.0 else [])
        + ([TopKLogitsWarper(gen.top_k)] if gen.top_k else [])
    )
    out = {}

    def walk(prefix, logp):
        ids = torch.tensor([prompt_ids + prefix])
        with torch.no_grad():
            scores = procs(ids, model(ids).logits[:, -1].float())
        for token, lp in enumerate(torch.log_softmax(scores, -1)[0].tolist()):
            if lp == -math.inf:
                continue
            seq = prefix + [token]
            if token == 0 or len(seq) == gen.max_new_tokens:
                out[tuple(seq)] = logp + lp
            else:
                walk(seq, logp + lp)

    walk([], 0.0)
    return out


@pytest.mark.parametrize("top_k", [0, 2])
def test_harness_kl_matches_the_exact_kl_by_enumeration(few_token_lms, top_k):
    reference, policy, tok = few_token_lms
    gen = GenerationSpec(max_new_tokens=3, temperature=0.9, top_k=top_k, repetition_penalty=1.2)
    prompt = tok("a b")["input_ids"]
    p, q = _exact_distribution(policy, prompt, gen), _exact_distribution(reference, prompt, gen)
    assert math.fsum(math.exp(v) for v in p.values()) == pytest.approx(1.0, abs=1e-6)
    exact = math.fsum(math.exp(lp) * (lp - q[y]) for y, lp in p.items())
    samples = sample(policy, tok, ["a b"], n=3000, gen=gen, seed=0, batch_size=500)
    k1, k3 = kl_estimates(
        token_logprobs(policy, samples, sampling=gen.sampling()),
        token_logprobs(reference, samples, sampling=gen.sampling()),
    )
    for estimate in (k1, k3):
        mean = sum(estimate) / len(estimate)
        se = math.sqrt(sum((v - mean) ** 2 for v in estimate) / (len(estimate) - 1) / len(estimate))
        assert abs(mean - exact) < 4 * se + 1e-3, (mean, exact, se)
    assert exact > 0.01  # far from zero: 0.02 with top-k 2, more without


def test_next_token_logprobs_equal_scoring_each_candidate_as_its_own_pair(tiny_policy):
    from rewardbench.runtime import models
    from rewardbench.runtime.lm import next_token_logprobs, score_pairs

    model = models.load_causal_lm(tiny_policy)
    contexts = [[1, 5, 7], [1, 9], [1, 4, 4, 8, 6, 3]]  # lengths differ: right padding must not shift the read
    candidates = [5, 9, 12]
    got = next_token_logprobs(model, contexts, candidates, pad_id=0, batch_size=2)
    pairs = [(ctx, [c]) for ctx in contexts for c in candidates]
    one_by_one = [s.logprob_sum for s in score_pairs(model, pairs, pad_id=0)]
    assert [v for row in got for v in row] == pytest.approx(one_by_one, abs=1e-5)


def test_scorers_condition_on_the_prompt_exactly_as_sampling_does(tiny_policy):
    # one start-token convention: the inverse-perplexity reward's log-likelihood of a sampled completion equals the
    # fluency judge's (which scores the sampled token ids); prepending BOS to the context, as scorers once did, fails
    from rewardbench.policies.training import policy_tokenizer
    from rewardbench.rewards.perplexity import InversePerplexityReward
    from rewardbench.runtime import models
    from rewardbench.steering.sampling import Sample, encode_prompts

    model, tok = models.load_causal_lm(tiny_policy), policy_tokenizer(tiny_policy)
    prompts, completions = ["i think dogecoin is", "the truth is"], [" the moon", " that it is"]
    samples = [
        Sample(i, tuple(ids), tuple(tok(c, add_special_tokens=False)["input_ids"]), c)
        for i, (ids, c) in enumerate(zip(encode_prompts(tok, prompts), completions))
    ]
    judge = [sum(lp) / len(lp) for lp in token_logprobs(model, samples)]
    reward = InversePerplexityReward(tiny_policy, mode="loglik")
    got = reward(prompts=prompts, completions=completions)
    assert got == pytest.approx(judge, abs=1e-5)


def test_a_text_with_no_context_is_scored_from_the_start_token(tiny_policy):
    from rewardbench.policies.training import policy_tokenizer
    from rewardbench.runtime.lm import encode_pairs, start_token

    tok = policy_tokenizer(tiny_policy)
    [(ctx, comp)] = encode_pairs(tok, [""], ["the truth"], 64)
    assert ctx == [start_token(tok)] and comp == tok("the truth", add_special_tokens=False)["input_ids"]


@pytest.mark.parametrize(
    "gen",
    [
        GenerationSpec(max_new_tokens=6),
        GenerationSpec(max_new_tokens=6, temperature=0.8, top_k=6, top_p=0.9, repetition_penalty=1.3),
    ],
)
def test_log_probs_read_off_sampling_equal_a_second_scoring_pass(tiny_policy, gen):
    # the evaluator takes the KL's policy log-probs from the sampling pass (left-padded batches, KV cache) instead
    # of scoring the samples again (right-padded, no cache): both must give the same numbers and the same samples
    from rewardbench.policies.training import policy_tokenizer
    from rewardbench.runtime import models

    model, tok = models.load_causal_lm(tiny_policy), policy_tokenizer(tiny_policy)
    prompts = ["i think dogecoin is", "the truth", "my friend bought dogecoin and now he thinks it is"]
    plain = sample(model, tok, prompts, n=5, gen=gen, seed=3, batch_size=4)
    kept = sample(model, tok, prompts, n=5, gen=gen, seed=3, batch_size=4, logprobs=True)
    assert kept == plain and all(s.logprobs is None for s in plain)
    rescored = token_logprobs(model, kept, sampling=gen.sampling())
    assert [len(s.logprobs) for s in kept] == [len(s.completion_ids) for s in kept]
    for s, again in zip(kept, rescored):
        assert list(s.logprobs) == pytest.approx(again, abs=1e-4)
    assert len({s.completion_ids for s in kept}) > 3  # sampled, not one greedy continuation
