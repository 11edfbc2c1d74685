"""The held-out checks' metrics: reshare depth, cascades and the brand's scaled-down shares."""

import numpy as np

from sim.customers.diffusion import KIND
from sim.outputs.evidence_metrics import _depths
from sim.service.delight import brand_copies


def test_reshare_depth_follows_parents_within_a_cascade():
    re, orig = KIND["reshare"], KIND["complaint"]
    # 0: original; 1, 2: reshares of 0; 3: reshare of 1; 4: a new original; 5: its reshare
    kind = np.array([orig, re, re, re, orig, re])
    parent = np.array([-1, 0, 0, 1, -1, 4])
    cascade = np.array([0, 0, 0, 0, 4, 4])
    assert _depths(parent, kind, cascade).tolist() == [0, 1, 1, 2, 0, 1]


def test_a_reshare_copy_that_starts_its_own_cascade_has_depth_zero():
    kind = np.array([KIND["praise"], KIND["reshare"]])
    assert _depths(np.array([-1, 0]), kind, np.array([0, 1])).tolist() == [0, 0]


def test_brand_copies_stand_for_the_real_shares():
    assert brand_copies(1.0, 0.0) == 1  # full scale: one share
    assert brand_copies(4.0, 0.99) == 4
    assert brand_copies(2.5, 0.4) == 3 and brand_copies(2.5, 0.6) == 2
    mean = np.mean([brand_copies(2.25, u) for u in np.linspace(0, 1, 1001)[:-1]])
    assert abs(mean - 2.25) < 0.01
