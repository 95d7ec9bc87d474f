"""Known answers for U-LiRA: the shadow plan, the score, the likelihood ratio and its metrics on
synthetic scores, and the wrapper's wiring with a fake context."""

import numpy as np
import pytest
import torch

import bench
from bench.attack import AttackContext
from bench.directions import INFO, RETRAIN
from bench.registry import ATTACKS
from attacks.ulira import ULira, best_accuracy, logit_confidence, plan_shadows, tpr_at_fpr, ulira_scores

FORGET, TRAIN, VAL = np.arange(0, 30), np.arange(0, 200), np.arange(200, 240)


def test_plan_every_target_is_unlearned_by_half_the_shadows_and_unseen_by_the_rest():
    plan = plan_shadows(FORGET, TRAIN, VAL, n_shadows=4, max_targets=1000, seed=0)
    m = 30  # min(|D_f|, |val|, max_targets // 2)
    assert plan.targets.size == 2 * m and plan.is_member.tolist() == [True] * m + [False] * m
    assert set(plan.targets[:m]) == set(FORGET) and set(plan.targets[m:]) <= set(VAL)
    assert plan.unlearned_in.sum(0).tolist() == [2] * (2 * m)
    for k in range(4):
        train, forget = set(plan.trains[k]), set(plan.forgets[k])
        assert len(forget) == FORGET.size and forget <= train <= set(TRAIN) | set(VAL)
        for t, inside in zip(plan.targets, plan.unlearned_in[k]):
            assert (t in forget) == inside and (t in train) == inside  # in: unlearned; out: unseen
        assert len(train) == m + (240 - 2 * m) // 2  # half of the targets, half of the rest
        assert set(plan.retain(k)) == train - forget
    assert np.array_equal(plan_shadows(FORGET, TRAIN, VAL, 4, 1000, seed=0).trains[3], plan.trains[3])


def test_plan_caps_targets_and_pads_forget_sets_to_the_cell_size():
    plan = plan_shadows(FORGET, TRAIN, VAL, n_shadows=2, max_targets=10, seed=1)
    assert plan.targets.size == 10 and plan.is_member.sum() == 5
    assert all(len(f) == FORGET.size for f in plan.forgets)
    assert plan.unlearned_in.sum(0).tolist() == [1] * 10
    for bad in (3, 0):
        with pytest.raises(ValueError):
            plan_shadows(FORGET, TRAIN, VAL, n_shadows=bad, max_targets=10, seed=0)
    with pytest.raises(ValueError):
        plan_shadows(FORGET, TRAIN, VAL, n_shadows=2, max_targets=1, seed=0)


def test_logit_confidence_is_logit_of_exp_minus_loss():
    p = np.array([0.5, 0.9, 0.01])
    assert logit_confidence(-np.log(p)) == pytest.approx(np.log(p / (1 - p)))
    assert logit_confidence(np.array([50.0]))[0] == pytest.approx(-50.0)  # -loss for large losses
    assert np.isfinite(logit_confidence(np.array([0.0, -1.0]))).all()  # floored, not +inf


def test_hand_computed_likelihood_ratio():
    # K = 2: one in (2.0) and one out (0.0) score, no residual dof -> variance of all scores = 1.
    # log LR = ((2 - 0)^2 - (2 - 2)^2) / 2 = 2 at the in mean; -2 at the out mean; 0 midway.
    inside = np.array([[True], [False]])
    scores = np.array([[2.0], [0.0]])
    for target, expected in ((2.0, 2.0), (0.0, -2.0), (1.0, 0.0)):
        assert ulira_scores(scores, inside, np.array([target]))[0] == pytest.approx(expected)
    # K = 4: in {1, 3} (mean 2), out {-1, 1} (mean 0): pooled variance 4 * 1 / (4 - 2) = 2;
    # at 3: ((3 - 0)^2 - (3 - 2)^2) / (2 * 2) = 2.
    scores4 = np.array([[1.0], [3.0], [-1.0], [1.0]])
    inside4 = np.array([[True], [True], [False], [False]])
    assert ulira_scores(scores4, inside4, np.array([3.0]))[0] == pytest.approx(2.0)


def test_tpr_and_accuracy_hand_case():
    is_member = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    scores = np.array([9.0, 8.0, 3.0, 1.0, 7.0, 2.0, 0.0, -1.0])
    # FPR 0 allows thresholds above 7: two of four members -> 0.5; the best threshold (>= 3)
    # takes 3 members and 1 non-member: (3/4 + 3/4) / 2 = 0.75.
    assert tpr_at_fpr(is_member, scores, 0.01) == 0.5
    assert tpr_at_fpr(is_member, scores, 0.25) == 0.75
    assert best_accuracy(is_member, scores) == 0.75


def _synthetic(shift: float, n: int = 20000, k: int = 8, seed: int = 0):
    """Shadow and target scores: per-example means spread widely (std 3), in = out + shift,
    unit noise; the first half of the targets are members (drawn from in), the rest from out."""
    rng = np.random.default_rng(seed)
    base = rng.normal(0.0, 3.0, size=n)
    inside = np.zeros((k, n), dtype=bool)
    for j in range(0, k, 2):
        half = rng.permutation(n)[: n // 2]
        inside[j, half] = True
        inside[j + 1] = ~inside[j]
    shadows = base + shift * inside + rng.normal(size=(k, n))
    is_member = np.arange(n) < n // 2
    target = base + shift * is_member + rng.normal(size=n)
    return ulira_scores(shadows, inside, target), is_member


def test_separated_in_and_out_are_fully_detected():
    lr, is_member = _synthetic(shift=12.0)
    assert tpr_at_fpr(is_member, lr, 0.01) == pytest.approx(1.0, abs=1e-3)
    assert best_accuracy(is_member, lr) == pytest.approx(1.0, abs=1e-3)


def test_identical_in_and_out_are_chance():
    # 10,000 non-members: TPR at FPR <= 1% has std about 0.001; the best of all thresholds
    # exceeds 0.5 by a Kolmogorov-Smirnov-sized margin (about 0.01 at most here).
    lr, is_member = _synthetic(shift=0.0)
    assert tpr_at_fpr(is_member, lr, 0.01) == pytest.approx(0.01, abs=0.005)
    assert tpr_at_fpr(is_member, lr, 0.001) == pytest.approx(0.001, abs=0.002)
    assert best_accuracy(is_member, lr) == pytest.approx(0.5, abs=0.02)


def test_per_example_calibration_beats_the_raw_score():
    # A shift of 2 noise units hides under the spread of the per-example means (std 3): the raw
    # score barely separates members, the likelihood ratio does.
    lr, is_member = _synthetic(shift=2.0)
    rng = np.random.default_rng(0)
    raw = rng.normal(0.0, 3.0, size=is_member.size) + 2.0 * is_member + rng.normal(size=is_member.size)
    assert tpr_at_fpr(is_member, lr, 0.01) > 0.1 > tpr_at_fpr(is_member, raw, 0.01)
    assert best_accuracy(is_member, lr) > 0.8


def test_likelihood_ratio_rejects_bad_input():
    with pytest.raises(ValueError):  # target 0 has no out shadow
        ulira_scores(np.zeros((2, 2)), np.array([[True, True], [True, False]]), np.zeros(2))
    with pytest.raises(ValueError):
        ulira_scores(np.array([[np.nan], [0.0]]), np.array([[True], [False]]), np.zeros(1))
    with pytest.raises(ValueError):
        ulira_scores(np.zeros((2, 3)), np.array([[True], [False]]), np.zeros(1))


class ShadowContext:
    """A fake context whose "models" are (trained set, unlearned set) and whose losses are made
    up per example: 0.1 trained and kept, about 3 never trained, ``forgotten_loss`` trained and
    unlearned (None: an exact unlearner, like never trained). Records every call."""

    def __init__(self, forgotten_loss, seed=0):
        self.seed, self.forgotten_loss = seed, forgotten_loss
        self.shadows, self.unlearned, self.scored = [], [], 0

    def indices(self, part):
        return {"forget": FORGET, "train": TRAIN, "val": VAL}[part]

    def train_shadow(self, name, indices):
        self.shadows.append(name)
        return frozenset(indices.tolist()), frozenset()

    def unlearn(self, model, forget, retain):
        assert set(forget) | set(retain) == model[0] and not set(forget) & set(retain)
        self.unlearned.append(forget)
        return (model[0], frozenset(forget.tolist())), 0.5

    def losses(self, model, part):
        trained, forgotten = model
        self.scored += 1
        noise = np.random.default_rng(self.scored).normal(0.0, 0.1, len(part))

        def loss(i, unseen):
            if i in forgotten and self.forgotten_loss is not None:
                return self.forgotten_loss
            return 0.1 if i in trained and i not in forgotten else unseen

        return np.array([loss(i, 3.0 + e) for i, e in zip(part, noise)])


TARGET = (frozenset(TRAIN.tolist()), frozenset(FORGET.tolist()))  # the cell's unlearned model


def test_wrapper_detects_a_trace():
    ctx = ShadowContext(forgotten_loss=1.0)  # the method leaves D_f between kept and unseen
    out = ULira(n_shadows=4).run(None, TARGET, None, ctx)
    assert out == {"mia.ulira_tpr@0.01": 1.0, "mia.ulira_tpr@0.001": 1.0, "mia.ulira_acc": 1.0,
                   "cost.ulira_shadow_s": 0.5}
    assert ctx.shadows == ["ulira-0", "ulira-1", "ulira-2", "ulira-3"]
    assert all(len(f) == FORGET.size for f in ctx.unlearned) and ctx.scored == 5


def test_wrapper_finds_no_trace_of_an_exact_unlearner():
    # Forgotten pairs score like unseen ones: the ratio is noise. 30 + 30 targets: the best of
    # all thresholds on pure noise reaches about 0.6-0.65, so 0.75 is far from a detection.
    out = ULira(n_shadows=4).run(None, TARGET, None, ShadowContext(forgotten_loss=None))
    assert out["mia.ulira_acc"] < 0.75 and out["mia.ulira_tpr@0.01"] < 0.3


@pytest.mark.slow
def test_end_to_end_on_the_tiny_task_as_the_original_row(emoji_setting):
    # Two shadows of about 90 pairs (about 15 s on a loaded 2-core machine); the `original` row
    # keeps its shadows as trained, so this is plain LiRA. Too few shadows and targets (20 + 20)
    # for a meaningful number: the test checks the wiring with real models.
    task, splits, cpu = emoji_setting.task, emoji_setting.splits, torch.device("cpu")
    recipe, trained = task.recipe(0), []

    def train_shadow(name, indices):
        trained.append((name, len(indices)))
        generator = torch.Generator().manual_seed(int(name.rsplit("-", 1)[1]))
        return recipe.train(recipe.new_model(generator), indices, cpu)

    ctx = AttackContext(task, splits, cpu, seed=0, reference=emoji_setting.original,
                        train_shadow=train_shadow, unlearn=lambda model, forget, retain: (model, 0.0))
    out = ULira(n_shadows=2).run(emoji_setting.original, emoji_setting.original, splits, ctx)
    assert set(out) == set(ULira.directions) and out["cost.ulira_shadow_s"] == 0.0
    assert all(0.0 <= out[k] <= 1.0 for k in ("mia.ulira_tpr@0.01", "mia.ulira_tpr@0.001"))
    assert 0.5 <= out["mia.ulira_acc"] <= 1.0
    population = len(splits.train) + len(splits.val)
    assert [name for name, _ in trained] == ["ulira-0", "ulira-1"]
    assert all(abs(n - population / 2) <= 1 for _, n in trained)


def test_wrapper_params_and_registry():
    assert ULira().get_params() == {"n_shadows": 4, "max_targets": 1000}
    with pytest.raises(ValueError):
        ULira(n_shadows=3)
    assert ULira.directions == {"mia.ulira_tpr@0.01": RETRAIN, "mia.ulira_tpr@0.001": RETRAIN,
                                "mia.ulira_acc": RETRAIN, "cost.ulira_shadow_s": INFO}
    assert issubclass(ULira, bench.Attack)
    assert ATTACKS.get("ulira") is ULira
