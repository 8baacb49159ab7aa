import os
import tempfile
import unittest

import context  # noqa: F401
import torch

from training import import_released as R


class ReleasedArchitecturesTest(unittest.TestCase):
    def test_published_key_names_and_shapes(self):
        eccv = R.ReleasedECCV16().state_dict()
        self.assertEqual(tuple(eccv["model1.0.weight"].shape), (64, 1, 3, 3))
        self.assertEqual(tuple(eccv["model3.6.running_var"].shape), (256,))
        self.assertEqual(tuple(eccv["model8.0.weight"].shape), (512, 256, 4, 4))
        self.assertEqual(tuple(eccv["model8.6.weight"].shape), (313, 256, 1, 1))
        self.assertEqual(tuple(eccv["model_out.weight"].shape), (2, 313, 1, 1))
        self.assertNotIn("model_out.bias", eccv)
        sig = R.ReleasedSIGGRAPH17().state_dict()
        self.assertEqual(tuple(sig["model1.0.weight"].shape), (64, 4, 3, 3))
        for key, shape in (("model8up.0.weight", (512, 256, 4, 4)), ("model3short8.0.weight", (256, 256, 3, 3)),
                           ("model8.1.weight", (256, 256, 3, 3)), ("model8.5.running_mean", (256,)),
                           ("model9.3.weight", (128,)), ("model10.1.weight", (128, 128, 3, 3)),
                           ("model1short10.0.weight", (128, 64, 3, 3)), ("model_class.0.weight", (529, 256, 1, 1)),
                           ("model_out.0.weight", (2, 128, 1, 1))):
            self.assertEqual(tuple(sig[key].shape), shape, key)
        n = sum(v.numel() for k, v in eccv.items() if "running" not in k and "num_batches" not in k)
        self.assertAlmostEqual(n / 1e6, 32.2, delta=0.1)

    def test_strict_loading(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "w.pth")
            state = R.random_state_dict("eccv16", 3)
            del state["model1.4.num_batches_tracked"]  # old checkpoints lack it: tolerated
            torch.save(state, path)
            net = R.load_released("eccv16", path)
            self.assertTrue(torch.equal(net.model1[0].weight, state["model1.0.weight"]))
            state["model_out.weight"] = torch.zeros(2, 300, 1, 1)
            torch.save(state, path)
            with self.assertRaises(SystemExit):
                R.load_released("eccv16", path)


if __name__ == "__main__":
    unittest.main()
