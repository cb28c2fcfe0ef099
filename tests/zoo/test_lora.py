"""zoo.lora: shipped adapters are extracted from peft under the base model's names and merged bit-exactly."""

from __future__ import annotations

import pytest
import torch

from rewardbench.zoo import lora


@pytest.fixture()
def tiny_peft(tiny_bert_3class):
    """A tiny BERT classifier with rank-2 adapters (non-zero B, so the merge matters) and a trained head."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForSequenceClassification

    torch.manual_seed(0)
    base = AutoModelForSequenceClassification.from_pretrained(tiny_bert_3class)
    config = LoraConfig(
        r=2,
        lora_alpha=4,
        target_modules=r".*encoder\.layer\.\d+\..*(query|key|value|dense)",
        modules_to_save=["classifier"],
    )
    model = get_peft_model(base, config)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name or "modules_to_save" in name:
                param.normal_(0, 0.5)
    return model.eval(), tiny_bert_3class


def test_extracted_adapters_merge_into_the_model_peft_computes(tiny_peft, tmp_path):
    from transformers import AutoModelForSequenceClassification

    model, path = tiny_peft
    tensors, scaling = lora.extract(model)
    assert scaling == 2.0 and "classifier.weight" in tensors
    assert any(k.endswith("attention.self.query.weight.lora_A") for k in tensors)
    lora.save(tmp_path / "a.safetensors", tensors, scaling)
    fresh = AutoModelForSequenceClassification.from_pretrained(path).eval()
    fresh.load_state_dict(lora.merge(fresh.state_dict(), tmp_path / "a.safetensors"))
    ids = torch.tensor([[2, 5, 6, 7, 3]])
    with torch.no_grad():
        want, got = model(input_ids=ids).logits, fresh(input_ids=ids).logits
    assert not torch.allclose(want, AutoModelForSequenceClassification.from_pretrained(path)(input_ids=ids).logits)
    assert torch.allclose(got, want, atol=1e-5)


def test_the_merge_is_bit_identical_whatever_the_thread_count_and_matches_float64(tiny_peft, tmp_path):
    from transformers import AutoModelForSequenceClassification

    model, path = tiny_peft
    tensors, scaling = lora.extract(model)
    lora.save(tmp_path / "a.safetensors", tensors, scaling)
    state = AutoModelForSequenceClassification.from_pretrained(path).state_dict()
    threads = torch.get_num_threads()
    try:
        merged = []
        for n in (1, 2):
            torch.set_num_threads(n)
            merged.append(lora.merge(state, tmp_path / "a.safetensors"))
    finally:
        torch.set_num_threads(threads)
    name = next(k.removesuffix(lora.A) for k in tensors if k.endswith(lora.A))
    assert torch.equal(merged[0][name], merged[1][name])
    exact = (
        state[name].double() + scaling * (tensors[name + lora.B].double() @ tensors[name + lora.A].double())
    ).float()
    assert (merged[0][name] - exact).abs().max() <= 1e-7 * exact.abs().max()
    assert not torch.equal(merged[0][name], state[name])


def test_an_adapter_for_a_layer_the_base_lacks_is_refused(tiny_peft, tmp_path):
    from rewardbench.errors import ModelSourceError

    model, _ = tiny_peft
    tensors, scaling = lora.extract(model)
    lora.save(tmp_path / "a.safetensors", tensors, scaling)
    with pytest.raises(ModelSourceError, match="the base model does not have"):
        lora.merge({}, tmp_path / "a.safetensors")
