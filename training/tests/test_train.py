"""End-to-end checks on a tiny synthetic image set (no datasets needed; CPU, well under a minute)."""
import contextlib
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import context  # noqa: F401
import numpy as np
import torch
from PIL import Image

from training import bins as B
from training import export, pack_subset, train
from training.color import lab_to_rgb
from training.data import random_batch


def make_images(folder, n, size=48, seed=0):
    """Colour that is a learnable function of L: dark regions blue, bright regions orange."""
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / size
    for i in range(n):
        fx, fy, ph = rng.uniform(1, 3), rng.uniform(1, 3), rng.uniform(0, 6.3)
        L = 50 + 40 * np.sin(2 * np.pi * fx * xx + ph) * np.cos(2 * np.pi * fy * yy)
        t = (L - 50) / 40
        a = 30 * t
        b = 60 * t
        lab = torch.tensor(np.stack([L, a, b]), dtype=torch.float64)
        rgb = (lab_to_rgb(lab).permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
        Image.fromarray(rgb).save(os.path.join(folder, f"img{i:03d}.png"))


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


class TrainTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.set_num_threads(1)
        cls.tmp = tempfile.mkdtemp(prefix="train-test-")
        cls.train_dir = os.path.join(cls.tmp, "train")
        cls.val_dir = os.path.join(cls.tmp, "val")
        make_images(cls.train_dir, 48, seed=0)
        make_images(cls.val_dir, 8, seed=1)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def args(self, out, loss="full", steps=60, extra=()):
        return ["--data", self.train_dir, "--val", self.val_dir, "--out", out, "--loss", loss, "--width", "8",
                "--size", "32", "--preload-size", "48", "--steps", str(steps), "--batch", "8", "--device", "cpu",
                "--seed", "3", "--lr", "3e-3", "--warmup", "5", "--log-every", "10", "--val-every", "20",
                "--val-images", "8", *extra]

    def test_loss_falls(self):
        for loss in ("full", "l2"):
            with self.subTest(loss=loss):
                out = os.path.join(self.tmp, f"falls-{loss}")
                t0 = time.process_time()  # CPU time: the machine may be shared, wall time is not ours
                train.main(self.args(out, loss, steps=160))
                self.assertLess(time.process_time() - t0, 60)
                rows = read_csv(os.path.join(out, "log.csv"))
                first, last = float(rows[0]["train_loss"]), float(rows[-1]["train_loss"])
                self.assertLess(last, 0.7 * first, rows)
                vals = [float(r["val_loss"]) for r in rows if r["val_loss"]]
                self.assertLess(vals[-1], vals[0])

    def test_resume_equals_uninterrupted(self):
        a, b = os.path.join(self.tmp, "straight"), os.path.join(self.tmp, "resumed")
        train.main(self.args(a, steps=30))
        train.main(self.args(b, steps=30, extra=("--stop-at", "15")))
        self.assertEqual(torch.load(os.path.join(b, "checkpoint.pt"))["step"], 15)
        train.main(self.args(b, steps=30))
        ca, cb = (torch.load(os.path.join(d, "checkpoint.pt")) for d in (a, b))
        self.assertEqual(cb["step"], 30)
        for k, v in ca["model"].items():
            self.assertTrue(torch.allclose(v.float(), cb["model"][k].float(), atol=1e-5), k)
        steps = [int(r["step"]) for r in read_csv(os.path.join(b, "log.csv"))]
        self.assertEqual(steps, sorted(set(steps)))
        self.assertEqual(steps[-1], 30)

    def test_export_writes_manifest_and_parity(self):
        run = os.path.join(self.tmp, "exp-run")
        train.main(self.args(run, steps=10))
        for loss in ("full", "l2"):
            run_l = run if loss == "full" else os.path.join(self.tmp, "exp-run-l2")
            if loss == "l2":
                train.main(self.args(run_l, loss="l2", steps=10))
            outdir = os.path.join(self.tmp, f"models-{loss}")
            onnx = os.path.join(outdir, f"{loss}.onnx")
            export.main(["--checkpoint", os.path.join(run_l, "checkpoint.pt"), "--out", onnx])
            with open(os.path.join(outdir, f"{loss}.manifest.json")) as f:
                m = json.load(f)
            self.assertEqual(m["schemaVersion"], 1)
            self.assertEqual(m["file"], f"{loss}.onnx")
            self.assertEqual(m["input"], {"name": "input_l", "layout": "NCHW", "height": 256, "width": 256,
                                          "lNormalization": {"offset": -50.0, "scale": 0.01}})
            if loss == "l2":
                self.assertEqual(m["output"], {"name": "ab", "kind": "ab", "stride": 4, "abScale": 1})
                self.assertNotIn("bins", m)
            else:
                self.assertEqual(m["output"], {"name": "logits", "kind": "logits", "stride": 4})
                self.assertEqual(m["bins"], {"source": "grid10-in-gamut"})
                self.assertEqual(m["decoding"], {"temperature": 0.38})
            for key in ("loss", "width", "steps", "batch", "hardware", "wallTimeSeconds"):
                self.assertIn(key, m["training"])
            self.assertEqual(m["training"]["steps"], 10)
            self.assertEqual((m["training"]["optimiser"], m["training"]["weightDecay"]), ("Adam", 1e-3))
            self.assertGreater(os.path.getsize(onnx), 10000)
            self.assertTrue(os.path.exists(os.path.join(outdir, f"{loss}.md")))
            # Parity file: the seeded input and the PyTorch output of the checkpoint's model.
            with open(os.path.join(outdir, f"{loss}.parity.json")) as f:
                pj = json.load(f)
            raw = np.fromfile(os.path.join(outdir, f"{loss}.parity.bin"), dtype="<f4")
            n_in = int(np.prod(pj["input"]["shape"]))
            ch = 2 if loss == "l2" else 313
            self.assertEqual(pj["output"]["shape"], [1, ch, 8, 8])
            self.assertEqual(raw.size, n_in + ch * 64)
            x = torch.from_numpy(raw[:n_in].copy()).view(1, 1, 32, 32)
            self.assertTrue(torch.equal(x, export.parity_input()))
            model, _ = export.load_model(torch.load(os.path.join(run_l, "checkpoint.pt")))
            with torch.no_grad():
                y = model(x).numpy().ravel()
            np.testing.assert_allclose(raw[n_in:], y, atol=1e-6)

    def test_rebalance_lambda_sets_the_weights_and_reaches_the_manifest(self):
        run = os.path.join(self.tmp, "lambda-run")
        train.main(self.args(run, steps=4, extra=("--rebalance-lambda", "0.8", "--decoupled-weight-decay")))
        ck = torch.load(os.path.join(run, "checkpoint.pt"))
        prior = np.asarray(ck["prior"])
        np.testing.assert_allclose(ck["weights"], B.rebalancing_weights(prior, 0.8), rtol=1e-6)
        # A larger λ flattens the weights: the rarest colour's weight over the commonest's shrinks.
        spread = lambda w: max(w) / min(w)
        self.assertLess(spread(ck["weights"]), spread(B.rebalancing_weights(prior, 0.5)))
        outdir = os.path.join(self.tmp, "models-lambda")
        export.main(["--checkpoint", os.path.join(run, "checkpoint.pt"), "--out", os.path.join(outdir, "full.onnx"),
                     "--temperature", "0.25"])
        with open(os.path.join(outdir, "full.manifest.json")) as f:
            m = json.load(f)
        self.assertEqual(m["training"]["rebalanceLambda"], 0.8)
        self.assertEqual(m["decoding"], {"temperature": 0.25})
        self.assertIn("λ = 0.8", m["description"])
        with open(os.path.join(outdir, "full.md")) as f:
            card = f.read()
        self.assertIn("λ = 0.8", card)
        self.assertIn("annealed mean T = 0.25", card)
        self.assertEqual(m["training"]["optimiser"], "AdamW")
        self.assertIn("AdamW (β 0.9, 0.99), decoupled weight decay 0.001", card)
        # Logit adjustment: the head's bias moves by −α log w, so every logit does, exactly.
        plain = np.fromfile(os.path.join(outdir, "full.parity.bin"), dtype="<f4")
        export.main(["--checkpoint", os.path.join(run, "checkpoint.pt"), "--out", os.path.join(outdir, "adjusted.onnx"),
                     "--temperature", "0.25", "--logit-adjustment", "0.5"])
        adjusted = np.fromfile(os.path.join(outdir, "adjusted.parity.bin"), dtype="<f4")
        n_in = int(np.prod(export.PARITY_SHAPE))
        shift = (adjusted[n_in:] - plain[n_in:]).reshape(B.NUM_BINS, -1)
        np.testing.assert_allclose(shift, np.broadcast_to(-0.5 * np.log(np.asarray(ck["weights"]))[:, None], shift.shape), atol=1e-5)
        with open(os.path.join(outdir, "adjusted.manifest.json")) as f:
            self.assertEqual(json.load(f)["training"]["logitAdjustment"], 0.5)
        self.assertNotIn("logitAdjustment", m["training"])
        with open(os.path.join(outdir, "adjusted.md")) as f:
            self.assertIn("logit adjustment of −0.5 · log w", f.read())
        for bad in (["--logit-adjustment", "1.5"], ["--logit-adjustment", "-1.5"]):
            with self.subTest(bad=bad), self.assertRaises(SystemExit), contextlib.redirect_stderr(io.StringIO()):
                export.main(["--checkpoint", os.path.join(run, "checkpoint.pt"), "--out", os.path.join(outdir, "bad.onnx"), *bad])
        for bad in (["--rebalance-lambda", "0"], ["--rebalance-lambda", "1.5"], ["--loss", "l2", "--rebalance-lambda", "0.8"],
                    ["--init-fresh-head"]):
            with self.subTest(bad=bad), self.assertRaises(SystemExit), contextlib.redirect_stderr(io.StringIO()):
                train.parse_args(self.args(os.path.join(self.tmp, "bad"), extra=bad))

    def test_coupled_decay_zeroes_an_unused_weight_and_decoupled_keeps_it(self):
        # A weight the loss does not use (zero data gradient), as the U-Net's deep path becomes
        # once the shortcut carries the signal. The paper's settings: weight decay 1e-3, lr 1e-3.
        def after(decoupled, steps=100):
            w = torch.nn.Parameter(torch.tensor([0.05, -0.03]))
            args = train.parse_args(self.args(os.path.join(self.tmp, "opt"), extra=(
                "--lr", "1e-3", "--weight-decay", "1e-3", *(("--decoupled-weight-decay",) if decoupled else ()))))
            opt = train.make_optimiser([w], args)
            for _ in range(steps):
                opt.zero_grad()
                w.grad = torch.zeros_like(w)
                opt.step()
            return w.detach()
        coupled, decoupled = after(False), after(True)
        self.assertIsInstance(train.make_optimiser([torch.nn.Parameter(torch.zeros(1))],
                                                   train.parse_args(self.args("x"))), torch.optim.Adam)
        # Coupled: about lr per step towards 0, so 0.05 and -0.03 are (nearly) gone after 100 steps.
        self.assertTrue(torch.all(coupled.abs() < 0.01), coupled)
        # Decoupled: shrunk by (1 - 1e-6) per step only.
        torch.testing.assert_close(decoupled, torch.tensor([0.05, -0.03]) * (1 - 1e-6) ** 100)

    def test_cuda_request_fails_clearly_without_cuda(self):
        if torch.cuda.is_available():
            self.skipTest("CUDA is available here")
        root = context.ROOT
        cmd = [sys.executable, "-m", "training.train", *self.args(os.path.join(self.tmp, "cuda")), "--device", "cuda"]
        r = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=120)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("CUDA is not available", r.stderr)
        self.assertIn("--device cpu", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "cuda", "checkpoint.pt")))

    def test_random_crops_and_flips(self):
        img = np.arange(2 * 6 * 6 * 3, dtype=np.uint8).reshape(2, 6, 6, 3)
        rng = np.random.default_rng(0)
        seen_flip = seen_noflip = False
        for _ in range(50):
            x = random_batch(img, 1, 4, rng)[0]  # (3, 4, 4)
            self.assertEqual(tuple(x.shape), (3, 4, 4))
            v = (x * 255).round().numpy().astype(int)
            step = v[0, 0, 1] - v[0, 0, 0]
            seen_flip |= step == -3
            seen_noflip |= step == 3
        self.assertTrue(seen_flip and seen_noflip)

    def test_zoomed_crops_enlarge_objects(self):
        # A 1 px checkerboard: an unzoomed crop alternates fully between neighbours; a crop enlarged
        # 2x or more repeats pixels (bilinear), so neighbouring values differ far less on average.
        yy, xx = np.mgrid[0:32, 0:32]
        board = (((yy + xx) % 2) * 255).astype(np.uint8)
        img = np.repeat(board[None, :, :, None], 3, axis=3)
        rng = np.random.default_rng(0)
        plain = random_batch(img, 8, 16, rng)
        zoomed = random_batch(img, 8, 16, rng, max_zoom=4.0)
        self.assertEqual(tuple(zoomed.shape), (8, 3, 16, 16))
        self.assertTrue(float(zoomed.min()) >= 0.0 and float(zoomed.max()) <= 1.0)
        def neighbour_step(x):
            return float((x[..., 1:] - x[..., :-1]).abs().mean())
        self.assertAlmostEqual(neighbour_step(plain), 1.0, places=5)
        self.assertLess(neighbour_step(zoomed), 0.8)


class PackSubsetTest(unittest.TestCase):
    def test_budget_and_balance(self):
        tmp = tempfile.mkdtemp(prefix="pack-test-")
        try:
            for name, seed in (("alpha", 0), ("beta", 1)):
                make_images(os.path.join(tmp, "src", name), 20, size=48, seed=seed)
            # a large image gets shrunk to --max-side
            os.makedirs(os.path.join(tmp, "src", "gamma"))
            Image.new("RGB", (300, 200), (200, 30, 30)).save(os.path.join(tmp, "src", "gamma", "big.jpg"))
            out = os.path.join(tmp, "out")
            budget_mb = 0.05
            pack_subset.main(["--data", *(os.path.join(tmp, "src", n) for n in ("alpha", "beta", "gamma")),
                              "--out", out, "--max-mb", str(budget_mb), "--max-side", "64"])
            with open(os.path.join(out, "SUBSET.json")) as f:
                info = json.load(f)
            sizes = [os.path.getsize(os.path.join(r, n)) for r, _, ns in os.walk(out) for n in ns if n != "SUBSET.json"]
            self.assertLessEqual(sum(sizes), budget_mb * 1e6)
            self.assertEqual(sum(sizes), info["bytes"])
            self.assertGreater(info["counts"]["alpha"], 0)
            self.assertLessEqual(abs(info["counts"]["alpha"] - info["counts"]["beta"]), 1)
            self.assertEqual(info["counts"]["gamma"], 1)
            self.assertLess(info["counts"]["alpha"], 20, "the budget must have cut the set")
            for r, _, ns in os.walk(out):
                for n in ns:
                    if n.endswith(".jpg") or n.endswith(".png"):
                        with Image.open(os.path.join(r, n)) as im:
                            self.assertLessEqual(max(im.size), 64)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
