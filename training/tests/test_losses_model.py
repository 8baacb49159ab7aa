import unittest

import context  # noqa: F401
import torch

from training import bins as B
from training.losses import colour_mask, l2_loss, weighted_cross_entropy
from training.metrics import annealed_mean, auc_ab, colourfulness, hue_shares
from training.model import ECCV16, UNet17, load_eccv16_weights, silent_blocks


class LossTest(unittest.TestCase):
    def setUp(self):
        self.c = torch.tensor(B.ab_bins(), dtype=torch.float32)
        g = torch.Generator().manual_seed(0)
        self.ab = (torch.rand(3, 2, 4, 4, generator=g) - 0.5) * 100
        self.logits = torch.randn(3, 313, 4, 4, generator=g)

    def test_gray_images_are_masked(self):
        ab = self.ab.clone()
        ab[1] = ab[1].clamp(-5, 5)  # no |ab| > 5: a gray image
        m = colour_mask(ab)
        self.assertEqual(m.tolist(), [1.0, 0.0, 1.0])
        t = B.soft_encode(ab, self.c)
        w = torch.ones(3, 4, 4)
        base = weighted_cross_entropy(self.logits, t, w, m)
        logits2 = self.logits.clone()
        logits2[1] = torch.randn(313, 4, 4) * 10  # changing the gray image's prediction changes nothing
        self.assertAlmostEqual(float(weighted_cross_entropy(logits2, t, w, m)), float(base), places=5)
        self.assertAlmostEqual(float(l2_loss(logits2[:, :2], ab / 110, m)),
                               float(l2_loss(self.logits[:, :2], ab / 110, m)), places=5)

    def test_cross_entropy_matches_definition(self):
        t = B.soft_encode(self.ab, self.c)
        w = torch.rand(3, 4, 4) + 0.5
        m = torch.ones(3)
        logp = torch.log_softmax(self.logits, 1)
        manual = -(w * (t * logp).sum(1)).sum() / (3 * 16)
        self.assertAlmostEqual(float(weighted_cross_entropy(self.logits, t, w, m)), float(manual), places=4)

    def test_pixel_weight_scales_its_pixel(self):
        t = B.soft_encode(self.ab, self.c)
        m = torch.ones(3)
        w = torch.ones(3, 4, 4)
        w2 = w.clone()
        w2[0, 0, 0] = 3.0
        ce = -(t * torch.log_softmax(self.logits, 1)).sum(1)
        diff = weighted_cross_entropy(self.logits, t, w2, m) - weighted_cross_entropy(self.logits, t, w, m)
        self.assertAlmostEqual(float(diff), float(2 * ce[0, 0, 0] / 48), places=5)

    def test_matching_prediction_has_lower_loss(self):
        t = B.soft_encode(self.ab, self.c)
        w, m = torch.ones(3, 4, 4), torch.ones(3)
        good = torch.log(t + 1e-6)
        self.assertLess(float(weighted_cross_entropy(good, t, w, m)), float(weighted_cross_entropy(self.logits, t, w, m)))


class ModelTest(unittest.TestCase):
    def test_quarter_resolution_and_channels(self):
        for width, out, size in ((8, 313, 64), (8, 2, 40)):
            y = ECCV16(width, out).eval()(torch.zeros(2, 1, size, size + 16))
            self.assertEqual(tuple(y.shape), (2, out, size // 4, (size + 16) // 4))

    def test_paper_width_has_about_32m_parameters(self):
        n = sum(p.numel() for p in ECCV16(64).parameters())
        self.assertGreater(n, 30e6)
        self.assertLess(n, 34e6)  # the paper's network: about 32 M parameters (docs/training.md)


    def test_unet_starts_as_the_eccv16_it_is_initialised_from(self):
        torch.manual_seed(0)
        eccv = ECCV16(8, 313).eval()
        for m in eccv.modules():  # non-trivial BatchNorm statistics
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 1.5)
        inits = {k: v.numpy() for k, v in eccv.state_dict().items() if not k.endswith("num_batches_tracked")}
        unet = UNet17(8, 313).eval()
        missing = load_eccv16_weights(unet, inits)
        self.assertEqual(missing, ["short3_8.bias", "short3_8.weight"])
        x = torch.randn(2, 1, 32, 48)
        with torch.no_grad():
            self.assertTrue(torch.allclose(unet(x), eccv(x), atol=1e-5))
            unet.short3_8.weight.normal_()  # the shortcut is live once trained
            self.assertFalse(torch.allclose(unet(x), eccv(x), atol=1e-3))
        with self.assertRaises(ValueError):
            load_eccv16_weights(UNet17(16, 313), inits)  # another width does not fit

    def test_fresh_head_starts_one_loss_from_another_trunk(self):
        torch.manual_seed(0)
        full = UNet17(8, 313).eval()
        inits = {k: v.numpy() for k, v in full.state_dict().items() if not k.endswith("num_batches_tracked")}
        with self.assertRaises(ValueError):
            load_eccv16_weights(UNet17(8, 2), inits)  # 313 logits do not fit l2's 2 channels
        l2 = UNet17(8, 2).eval()
        head_before = l2.head.weight.detach().clone()
        missing = load_eccv16_weights(l2, inits, fresh_head=True)
        self.assertEqual(missing, ["head.bias", "head.weight"])
        self.assertTrue(torch.equal(l2.head.weight, head_before))
        self.assertTrue(torch.equal(l2.conv4[0].weight, full.conv4[0].weight))
        self.assertTrue(torch.equal(l2.short3_8.weight, full.short3_8.weight))

    def test_silent_blocks_are_those_whose_batchnorms_all_saw_a_constant(self):
        torch.manual_seed(0)
        unet = UNet17(8, 313)
        self.assertEqual(silent_blocks(unet), [])  # fresh running variances are 1
        with torch.no_grad():
            for p in [*unet.conv4.parameters(), *unet.conv5.parameters()]:
                p.mul_(1e-30)  # what coupled weight decay left of blocks 4 and 5
        for m in unet.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.momentum = 1.0  # running statistics = this batch's
        unet.train()(torch.randn(4, 1, 32, 32))
        # Block 6 sees a constant too, but its biases and zero padding vary it at the borders:
        # only blocks whose own weights are gone count.
        self.assertEqual(silent_blocks(unet), ["conv4", "conv5"])
        unet.conv5[-1].running_var[0] = 1e-3  # one live channel keeps a block
        self.assertEqual(silent_blocks(unet), ["conv4"])

    def test_unet_quarter_resolution(self):
        y = UNet17(8, 2).eval()(torch.zeros(1, 1, 40, 56))
        self.assertEqual(tuple(y.shape), (1, 2, 10, 14))


class MetricsTest(unittest.TestCase):
    def test_hue_shares(self):
        # CIELab of sRGB red, yellow, green, blue (hue 40°, 103°, 136°, 306°) and one neutral pixel
        ab = torch.tensor([[80.09, -21.55, -86.18, 79.19, 3.0], [67.2, 94.48, 83.18, -107.86, 4.0]]).reshape(1, 2, 1, 5)
        self.assertEqual(hue_shares(ab), {"red": 25.0, "yellow": 25.0, "green": 25.0, "blue": 25.0})

    def test_auc(self):
        ab = torch.randn(1, 2, 8, 8) * 30
        self.assertAlmostEqual(auc_ab(ab, ab), 100.0, places=4)
        # a constant error of 74.5 ab units is within thresholds 75..150: 76 of 151
        off = ab.clone()
        off[:, 0] += 74.5
        self.assertAlmostEqual(auc_ab(off, ab), 100 * 76 / 151, places=3)

    def test_colourfulness(self):
        gray = torch.full((1, 3, 4, 4), 0.5)
        self.assertAlmostEqual(float(colourfulness(gray)[0]), 0.0, places=5)
        red = torch.zeros(1, 3, 4, 4)
        red[:, 0] = 1.0
        # rg = 255, yb = 127.5, no variance: 0.3 * sqrt(255^2 + 127.5^2)
        self.assertAlmostEqual(float(colourfulness(red)[0]), 0.3 * (255 ** 2 + 127.5 ** 2) ** 0.5, places=2)

    def test_annealed_mean_limits(self):
        c = torch.tensor(B.ab_bins(), dtype=torch.float32)
        logits = torch.zeros(1, 313, 1, 1)
        logits[0, 10] = 2.0
        logits[0, 200] = 1.0
        mode = annealed_mean(logits, c, temperature=0.01)[0, :, 0, 0]
        self.assertTrue(torch.allclose(mode, c[10], atol=1e-3))
        mean = annealed_mean(logits, c, temperature=1.0)[0, :, 0, 0]
        p = torch.softmax(logits[0, :, 0, 0], 0)
        self.assertTrue(torch.allclose(mean, (p[:, None] * c).sum(0), atol=1e-4))


if __name__ == "__main__":
    unittest.main()
