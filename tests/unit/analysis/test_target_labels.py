"""Target labels: which targets a fit may use, and passes counted per label."""

from sim.analysis.targets import evaluate, fit_targets, label_counts
from sim.config.schema import Target


def _targets():
    return [
        Target(name="a", metric="m", documented=1.0, label="identity"),
        Target(name="b", metric="m", documented=1.0, label="calibrated"),
        Target(name="c", metric="m", documented=1.0, label="held_out"),
        Target(name="d", metric="m", documented=5.0, tolerance=0.1, label="held_out"),
    ]


def test_only_calibrated_targets_are_fitted():
    assert [t.name for t in fit_targets(_targets())] == ["b"]


def test_results_carry_the_label_and_passes_count_per_label():
    targets = _targets()
    reps = [{"a": 1.0, "b": 1.1, "c": 0.9, "d": 1.0}, {"a": 1.0, "b": 0.9, "c": 1.1, "d": 1.0}]
    results = evaluate(targets, reps)
    assert [r.label for r in results] == ["identity", "calibrated", "held_out", "held_out"]
    counts = label_counts([r.label for r in results], [r.ok for r in results])
    assert counts == {"identity": (1, 1), "calibrated": (1, 1), "held_out": (1, 2)}
