import unittest

import context  # noqa: F401
import numpy as np
import torch

from training import bins as B

REF = B.load_reference()
SKIP_MSG = f"reference table not found at {B.REFERENCE_FILE} (set COLORIZATION_REFERENCE_BINS); skipped"


class BinsTest(unittest.TestCase):
    def test_table_shape_and_order(self):
        c = B.ab_bins()
        self.assertEqual(c.shape, (313, 2))
        self.assertTrue(np.all(c % 10 == 0))
        keys = [tuple(x) for x in c.tolist()]
        self.assertEqual(keys, sorted(keys), "ordered by a ascending, then b ascending")
        self.assertEqual(len(set(keys)), 313)
        self.assertIn((0.0, 0.0), keys)

    def test_in_gamut_core(self):
        core = B.in_gamut_cells()
        self.assertEqual(len(core), 262)
        c = {tuple(x) for x in B.ab_bins().astype(int).tolist()}
        self.assertTrue(set(core) <= c)
        # Centres far outside sRGB (e.g. pure a = 120) are not classes.
        self.assertNotIn((120, 0), c)

    @unittest.skipIf(REF is None, SKIP_MSG)
    def test_equals_reference(self):
        np.testing.assert_array_equal(B.ab_bins(), REF[0])


class SoftEncodingTest(unittest.TestCase):
    def setUp(self):
        self.c = torch.tensor(B.ab_bins(), dtype=torch.float32)

    def test_sums_to_one_and_picks_nearest(self):
        g = torch.Generator().manual_seed(0)
        ab = (torch.rand(2, 2, 5, 7, generator=g) - 0.5) * 160
        enc = B.soft_encode(ab, self.c)
        self.assertEqual(tuple(enc.shape), (2, 313, 5, 7))
        self.assertTrue(torch.allclose(enc.sum(1), torch.ones(2, 5, 7), atol=1e-5))
        flat = ab.permute(0, 2, 3, 1).reshape(-1, 2)
        e = enc.permute(0, 2, 3, 1).reshape(-1, 313)
        for i in range(flat.shape[0]):
            d = ((self.c - flat[i]) ** 2).sum(1)
            nearest = set(torch.argsort(d)[:5].tolist())
            self.assertEqual(set(torch.nonzero(e[i]).flatten().tolist()), nearest)
            # Gaussian σ = 5: weight ratios follow exp(-(d_i - d_j) / 50).
            j0, j1 = torch.argsort(d)[:2].tolist()
            ratio = float(e[i, j0] / e[i, j1]) / float(torch.exp(-(d[j0] - d[j1]) / 50))
            self.assertAlmostEqual(ratio, 1.0, places=4)
            self.assertEqual(int(e[i].argmax()), int(d.argmin()))

    def test_on_a_centre(self):
        ab = torch.tensor([20.0, -30.0]).view(1, 2, 1, 1)
        enc = B.soft_encode(ab, self.c)[0, :, 0, 0]
        k = int(enc.argmax())
        self.assertEqual(self.c[k].tolist(), [20.0, -30.0])
        # the centre and its 4 edge-neighbours at distance 10: 1 / (1 + 4 e^-2)
        self.assertAlmostEqual(float(enc[k]), 1 / (1 + 4 * np.exp(-2)), places=5)


class PriorAndWeightsTest(unittest.TestCase):
    def test_smoothing_and_normalization(self):
        c = B.ab_bins()
        counts = np.zeros(313)
        counts[156] = 10
        p = B.smooth_prior(counts, c)
        self.assertAlmostEqual(p.sum(), 1.0)
        self.assertEqual(int(p.argmax()), 156)
        nb = [i for i in range(313) if np.abs(c[i] - c[156]).sum() == 10]
        self.assertAlmostEqual(p[nb[0]] / p[156], np.exp(-2), places=6)

    def test_weights_normalized_under_prior(self):
        rng = np.random.default_rng(0)
        p = rng.random(313) ** 4
        p /= p.sum()
        w = B.rebalancing_weights(p)
        self.assertAlmostEqual(float((p * w).sum()), 1.0, places=9)
        self.assertTrue(np.all(np.diff(w[np.argsort(p)]) <= 1e-12), "rarer colours get larger weights")
        np.testing.assert_allclose(B.rebalancing_weights(p, lam=1.0), np.ones(313))

    @unittest.skipIf(REF is None, SKIP_MSG)
    def test_imagenet_weights_range(self):
        # Paper (and docs/training.md): with the ImageNet prior the weights run about 0.17 to 9.9.
        w = B.rebalancing_weights(REF[1])
        self.assertAlmostEqual(float((REF[1] * w).sum()), 1.0, places=9)
        self.assertAlmostEqual(float(w.min()), 0.17, delta=0.01)
        self.assertAlmostEqual(float(w.max()), 9.9, delta=0.1)


if __name__ == "__main__":
    unittest.main()
