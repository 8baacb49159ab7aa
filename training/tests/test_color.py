import unittest

import context  # noqa: F401
import numpy as np
import torch

from training.color import lab_to_linear_rgb_np, lab_to_rgb, rgb_to_lab


class LabTest(unittest.TestCase):
    def test_known_values(self):
        # Reference values for sRGB / D65 (e.g. Bruce Lindbloom's calculator).
        rgb = torch.tensor([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
                           dtype=torch.float64)
        lab = rgb_to_lab(rgb[:, :, None, None])[:, :, 0, 0]
        expected = torch.tensor([[100.0, 0.0, 0.0], [0.0, 0.0, 0.0], [53.2408, 80.0925, 67.2032],
                                 [87.7347, -86.1827, 83.1793], [32.2970, 79.1875, -107.8602]], dtype=torch.float64)
        self.assertLess(float((lab - expected).abs().max()), 2e-3, lab)

    def test_round_trip(self):
        g = torch.Generator().manual_seed(0)
        rgb = torch.rand(4, 3, 16, 16, generator=g, dtype=torch.float64)
        back = lab_to_rgb(rgb_to_lab(rgb))
        self.assertLess(float((back - rgb).abs().max()), 1e-9)
        # float32 (what training uses) round-trips to well below one 8-bit level.
        back32 = lab_to_rgb(rgb_to_lab(rgb.float()))
        self.assertLess(float((back32.double() - rgb).abs().max()), 1e-4)

    def test_gray_has_no_chroma(self):
        v = torch.linspace(0, 1, 11, dtype=torch.float64)
        rgb = v[None, None, :].expand(1, 3, 11)[..., None]
        lab = rgb_to_lab(rgb)
        self.assertLess(float(lab[:, 1:].abs().max()), 1e-9)

    def test_numpy_gamut_helper_agrees(self):
        g = torch.Generator().manual_seed(1)
        rgb = torch.rand(1, 3, 8, 8, generator=g, dtype=torch.float64)
        lab = rgb_to_lab(rgb)[0].reshape(3, -1).numpy()
        lin = lab_to_linear_rgb_np(lab[0], lab[1], lab[2])
        srgb = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * np.clip(lin, 0, None) ** (1 / 2.4) - 0.055)
        np.testing.assert_allclose(srgb, rgb[0].reshape(3, -1).numpy().T, atol=1e-9)


if __name__ == "__main__":
    unittest.main()
