"""Task YAML loading and validation, prompt sources and the train/held-out split."""

from __future__ import annotations

from pathlib import Path

import pytest

from rewardbench.errors import ConfigError, UnknownIdError
from rewardbench.tasks import load_task, task_ids
from rewardbench.tasks.prompts import build_prompts

GOOD = """description: d
prompts: {source: inline, items: [a b, c d, e f, g h, i j]}
model: {embedded: "embedded:smollm2-135m"}
reward: {embedded: {id: vader, options: {target: negative}}}
presets:
  cpu: {policies: [reference]}
"""


def test_every_builtin_task_loads():
    ids = task_ids()
    assert {
        "dogecoin_negative",
        "tweets_positive",
        "tweets_negative",
        "imdb_positive",
        "imdb_negative",
        "controlled_sentiment",
        "summary_fill",
    } <= set(ids)
    for tid in ids:
        task = load_task(tid)
        assert task.id == tid and "cpu" in task.presets and task.sources()
    doge = load_task("dogecoin_negative")
    assert len(doge.prompts.items) >= 50 and "i think dogecoin is" in doge.prompts.items
    assert doge.model == {"embedded": "embedded:smollm2-135m", "hub": "huggingtweets/elonmusk"}
    assert doge.reward["hub"].id == "sentiment-cardiffnlp" and doge.reward["embedded"].options == {
        "target": "negative"
    }
    assert load_task("imdb_positive").sources() == ["hub"]


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            lambda s: s.replace("description: d", "descripton: d"),
            r"bad\.yaml: descripton: unknown field; did you mean 'description'",
        ),
        (lambda s: s.replace("description: d\n", ""), r"bad\.yaml: description: required field is missing"),
        (
            lambda s: s.replace("{policies: [reference]}", "{policies: [reference], steps: ten}"),
            r"bad\.yaml: presets\.cpu\.steps: expected an integer, got 'ten'",
        ),
        (lambda s: s.replace("source: inline", "source: inlne"), r"bad\.yaml: prompts\.source: 'inlne' is not one of"),
        (lambda s: s.replace("cpu:", "gpu:"), r"bad\.yaml: presets\.cpu: every task needs a cpu preset"),
        (lambda s: s + "generation: {temperature: 0}\n", r"bad\.yaml: generation: need"),
        (lambda s: s + "  - [unclosed\n", r"bad\.yaml: not valid YAML"),
    ],
)
def test_malformed_task_files_name_the_file_and_field(tmp_path: Path, edit, message):
    path = tmp_path / "bad.yaml"
    path.write_text(edit(GOOD), encoding="utf-8")
    with pytest.raises((ConfigError, UnknownIdError), match=message):
        load_task(str(path))


def test_unknown_task_suggests_close_matches():
    with pytest.raises(UnknownIdError, match="did you mean 'tweets_negative'"):
        load_task("tweets_negativ")


def test_split_is_deterministic_disjoint_and_prefixes_control_codes(tiny_policy, tmp_path):
    from rewardbench.policies.training import policy_tokenizer
    from rewardbench.tasks.spec import PromptSpec

    tok = policy_tokenizer(tiny_policy)
    spec = PromptSpec(
        source="inline",
        items=tuple(f"prompt number {i}" for i in range(20)),
        heldout_fraction=0.25,
        control_codes=("[negative]", "[positive]"),
    )
    train, held = build_prompts(spec, "embedded", tok)
    assert (train, held) == build_prompts(spec, "embedded", tok)
    assert len(held) == 5 and len(train) == 15 and not {p.text for p in train} & {p.text for p in held}
    assert all(p.text.startswith(("[negative] ", "[positive] ")) for p in train + held)


def test_imdb_prompts_load_through_load_dataset_from_a_local_folder(tiny_policy, tmp_path):
    """The hub path (``load_dataset("stanfordnlp/imdb")``) run on a local folder of the same schema."""
    import csv

    from rewardbench.policies.training import policy_tokenizer
    from rewardbench.tasks.spec import PromptSpec

    folder = tmp_path / "imdb"
    folder.mkdir()
    with open(folder / "train.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label"])
        for i in range(12):
            writer.writerow(
                [f"the movie was great and fun {i} " + "cats enjoy sleeping " * (10 if i % 3 else 1), i % 2]
            )
    spec = PromptSpec(source="imdb", dataset=str(folder), min_tokens=2, max_tokens=4, min_chars=100)
    train, held = build_prompts(spec, "hub", policy_tokenizer(tiny_policy))
    prompts = train + held
    assert len(prompts) >= 2 and all(2 <= len(p.text.split()) <= 4 for p in prompts)
    with pytest.raises(ConfigError, match="prompts.dataset"):
        build_prompts(
            PromptSpec(source="imdb", dataset=str(tmp_path / "missing")), "hub", policy_tokenizer(tiny_policy)
        )


def test_embedded_documents_carry_aclsum_reference_summaries():
    from rewardbench.tasks.spec import PromptSpec
    from rewardbench.zoo.data import aclsum_documents

    train, held = build_prompts(PromptSpec(source="documents", max_document_words=200), "embedded", None)
    by_doc = {p.columns["documents"]: p.columns["references"] for p in train + held}
    doc = aclsum_documents("test")[0]
    s = doc.summaries
    assert by_doc[doc.text] == f"{s['challenge']} {s['approach']} {s['outcome']}"


def test_hub_documents_load_summarize_from_feedback_comparisons_from_a_local_folder(tmp_path):
    """The hub path (``load_dataset("openai/summarize_from_feedback", "comparisons")``) on a local folder laid out
    as that repository is (a ``comparisons`` config); a post compared twice keeps its first comparison's choice."""
    import json

    from rewardbench.tasks.spec import PromptSpec

    (tmp_path / "comparisons").mkdir()
    (tmp_path / "README.md").write_text(
        "---\nconfigs:\n- config_name: comparisons\n  data_files:\n  - split: train\n"
        "    path: comparisons/train.jsonl\n---\n"
    )
    records = [
        {"info": {"post": "post one words"}, "summaries": [{"text": "a"}, {"text": "b"}], "choice": 1},
        {"info": {"post": "post one words"}, "summaries": [{"text": "c"}, {"text": "d"}], "choice": 0},
        {"info": {"post": "post two words"}, "summaries": [{"text": "e"}, {"text": "f"}], "choice": 0},
        {"info": {"post": "post three"}, "summaries": [{"text": "g"}, {"text": "h"}], "choice": 1},
    ]
    with open(tmp_path / "comparisons" / "train.jsonl", "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in records)
    spec = PromptSpec(source="documents", dataset=str(tmp_path), max_document_words=2, template="{document} TL;DR:")
    train, held = build_prompts(spec, "hub", None)
    got = {p.columns["documents"]: (p.text, p.columns["references"]) for p in train + held}
    assert got == {
        "post one": ("post one TL;DR:", "b"),
        "post two": ("post two TL;DR:", "e"),
        "post three": ("post three TL;DR:", "h"),
    }


def test_a_judge_of_another_estimator_is_labelled_apart_from_the_training_reward():
    """summary_fill judges its multi-mask training reward with the study's estimator of the same reward id: the
    labels must differ, or the judge is dropped as the training reward."""
    from rewardbench.tasks.spec import RewardSpec

    task = load_task("summary_fill")
    labels = [j.label for j in task.judges]
    assert "summary-fill-smollm2:study" in labels
    assert task.reward["embedded"].label == "summary-fill-smollm2"
    assert RewardSpec("vader", {"target": "negative"}).label == "vader:negative"
