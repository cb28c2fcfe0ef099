from __future__ import annotations

import pytest

from rewardbench.cli import main


def test_list_rewards_shows_every_id(capsys):
    from rewardbench.rewards import REWARDS

    assert main(["list", "rewards"]) == 0
    out = capsys.readouterr().out
    for rid in REWARDS.ids():
        assert rid in out
    assert "hub" in out and "offline" in out


def test_list_models(capsys):
    assert main(["list", "models"]) == 0
    assert "embedded:smollm2-135m" in capsys.readouterr().out


def test_score_with_vader(capsys):
    assert main(["score", "--reward", "vader", "--target", "negative", "dogecoin is a scam", "dogecoin is great"]) == 0
    out = capsys.readouterr().out
    assert "dogecoin is a scam" in out and "vader v1" in out


def test_unknown_reward_exits_2_with_suggestion(capsys):
    assert main(["score", "--reward", "vadr", "x"]) == 2
    assert "did you mean 'vader'" in capsys.readouterr().err


def test_bad_option_exits_2(capsys):
    assert main(["score", "--reward", "vader", "--option", "mode", "x"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err


def test_bad_option_value_is_reported(capsys):
    assert main(["score", "--reward", "vader", "--mode", "bogus", "x"]) == 2
    assert "vader mode must be" in capsys.readouterr().err


@pytest.mark.slow
def test_score_with_embedded_classifier(capsys):
    assert (
        main(
            [
                "score",
                "--reward",
                "sentiment-minilm-tweets",
                "--target",
                "negative",
                "dogecoin is a scam",
                "dogecoin is great",
            ]
        )
        == 0
    )
    rows = [line for line in capsys.readouterr().out.splitlines() if "dogecoin" in line]
    scam, great = (float(r.split("|")[2]) for r in rows)
    assert scam > great


def test_list_policies_names_each_with_what_it_does(capsys):
    from rewardbench.policies import POLICIES

    assert main(["list", "policies"]) == 0
    rows = {line.split("|")[1].strip(): line for line in capsys.readouterr().out.splitlines()[2:]}
    assert list(rows) == POLICIES.in_order()
    assert "| no " in rows["best-of-n"] and "stated" in rows["best-of-n"] and "| yes " in rows["trl-ppo"]
    assert "(Shao et al. 2024)" in rows["trl-grpo"]  # a sentence is not cut at "al."


def test_list_tasks_says_which_need_the_hub(capsys):
    from rewardbench.tasks import task_ids

    assert main(["list", "tasks"]) == 0
    rows = {line.split("|")[1].strip(): line for line in capsys.readouterr().out.splitlines()[2:]}
    assert sorted(rows) == task_ids()
    assert "embedded (no hub)" in rows["dogecoin_negative"] and "embedded" not in rows["imdb_positive"]


def test_list_judges_of_a_task_shows_each_judge_with_its_target(capsys):
    assert main(["list", "judges", "tweets_negative"]) == 0
    out = capsys.readouterr().out
    assert "vader:negative" in out and "negative sentiment" in out and "sentiment-sst2:negative" in out
    assert main(["list", "judges"]) == 2
    assert "needs a task" in capsys.readouterr().err


@pytest.mark.parametrize("verb", ["list", "score", "eval-rewards", "run", "export", "report", "bench", "zoo"])
def test_every_verb_help_shows_an_example(verb, capsys):
    with pytest.raises(SystemExit):
        main([verb, "--help"])
    out = capsys.readouterr().out
    assert "examples:" in out and f"rewardbench {verb}" in out.split("examples:")[1]


def test_unknown_tracker_and_executor_exit_2_naming_the_choices(capsys, tmp_path):
    assert main(["run", "--task", "dogecoin_negative", "--report-to", "tensorbord", "--out", str(tmp_path)]) == 2
    assert "did you mean 'tensorboard'" in capsys.readouterr().err
    assert main(["run", "--task", "dogecoin_negative", "--executor", "slurm", "--out", str(tmp_path)]) == 2
    assert "local or ray" in capsys.readouterr().err
