"""Train the ECCV16 colorization network with the paper's objective or an ablation.

python3 -m training.train --data DIR [DIR ...] --val DIR --out DIR --loss full|class|l2 \
    --width W --size S --steps N --batch B --device cpu|cuda --seed K

Resumable: if OUT/checkpoint.pt exists, training continues from it (same arguments expected).
Logs per interval to OUT/log.csv: training loss and validation loss / AuC / colourfulness.
"""
import argparse
import csv
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from . import bins as B
from .color import rgb_to_lab
from .data import centre_batch, list_images, preload, random_batch
from .losses import colour_mask, l2_loss, weighted_cross_entropy
from .metrics import annealed_mean, auc_ab, colourfulness, colourise, hue_shares
from .model import AB_SCALE, ARCHITECTURES, SILENT_VARIANCE, build_model, load_eccv16_weights, normalize_l, silent_blocks
from .onnx_reader import load_onnx

STRIDE = 4  # network output is 1/4 of the input resolution
CSV_FIELDS = [
    "step", "wall_s", "lr", "train_loss", "images_per_s",
    "val_loss", "val_auc", "val_colourfulness", "val_gt_colourfulness",
    "val_red", "val_yellow", "val_green", "val_blue",
]


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m training.train", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", nargs="+", required=True, help="training image folders (searched recursively)")
    p.add_argument("--val", nargs="+", required=True, help="validation image folders")
    p.add_argument("--out", required=True, help="run folder: checkpoint.pt, log.csv, args.json")
    p.add_argument("--loss", choices=["full", "class", "l2"], default="full",
                   help="full: rebalanced classification (λ=0.5); class: uniform weights; l2: regression on ab")
    p.add_argument("--rebalance-lambda", type=float, default=B.LAMBDA,
                   help="λ of the full loss's rebalancing, 0 < λ <= 1 (paper 0.5; 1 gives class's uniform weights); "
                        "larger spends less weight on rare colours, for a network too small to place them")
    p.add_argument("--arch", choices=sorted(ARCHITECTURES), default="eccv16",
                   help="eccv16: the paper's plain stack; siggraph17: its U-Net successor without hints (shortcut from block 3)")
    p.add_argument("--width", type=int, default=64, help="channels of conv1 (paper: 64)")
    p.add_argument("--size", type=int, default=112, help="random crop size (multiple of 8)")
    p.add_argument("--small-size", type=int, default=0,
                   help="crop size of the first --small-steps steps (small crops first: more images per second early on)")
    p.add_argument("--small-steps", type=int, default=0)
    p.add_argument("--max-zoom", type=float, default=1.0,
                   help="enlarge each crop by a random factor in [1, MAX] (objects at the scale the colorizer's 256 px input shows them)")
    p.add_argument("--init-onnx", default=None,
                   help="start (not resume) from the weights of an exported model of the same width and loss "
                        "(of another loss with --init-fresh-head)")
    p.add_argument("--init-fresh-head", action="store_true",
                   help="with --init-onnx: keep the output layer's initial values (start one loss from another's trunk)")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--lr", type=float, default=1e-3, help="peak Adam learning rate (paper: 3e-5 for 450k steps)")
    p.add_argument("--weight-decay", type=float, default=1e-3, help="paper: 1e-3")
    p.add_argument("--decoupled-weight-decay", action="store_true",
                   help="AdamW: decay every weight at lr × weight decay instead of the paper's L2 term inside Adam")
    p.add_argument("--warmup", type=int, default=100, help="linear warm-up steps, then cosine decay to 10%%")
    p.add_argument("--prior", choices=["empirical", "imagenet"], default="empirical",
                   help="class prior: of the training data (smoothed, σ=5) or the reference ImageNet prior")
    p.add_argument("--reference", default=B.REFERENCE_FILE, help="ab-bins-and-prior.json for --prior imagenet")
    p.add_argument("--max-images", type=int, default=0, help="use a seeded random subset of the training images (0: all)")
    p.add_argument("--preload-size", type=int, default=128, help="images are decoded to this square size once")
    p.add_argument("--cache", default=None, help="folder to cache decoded images as .npy (outside the project)")
    p.add_argument("--val-images", type=int, default=256, help="validation images (centre crops), seeded subset")
    p.add_argument("--val-every", type=int, default=250)
    p.add_argument("--log-every", type=int, default=25)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: leave default)")
    p.add_argument("--stop-at", type=int, default=0,
                   help="checkpoint and exit at this step (time-boxed sessions; rerun the same command to resume)")
    p.add_argument("--amp", action="store_true",
                   help="bfloat16 autocast (CUDA; and CPU where it has AVX-512 BF16 / AMX; the loss stays float32)")
    a = p.parse_args(argv)
    if a.size % 8:
        p.error("--size must be a multiple of 8 (three stride-2 stages)")
    if a.size > a.preload_size:
        p.error("--size must not exceed --preload-size")
    if a.small_size and (a.small_size % 8 or a.small_size > a.preload_size):
        p.error("--small-size must be a multiple of 8 and not exceed --preload-size")
    if a.init_fresh_head and not a.init_onnx:
        p.error("--init-fresh-head needs --init-onnx")
    if not 0.0 < a.rebalance_lambda <= 1.0:
        p.error("--rebalance-lambda must lie in (0, 1]")
    if a.rebalance_lambda != B.LAMBDA and a.loss != "full":
        p.error("--rebalance-lambda applies to --loss full only")
    return a


def make_optimiser(params, args):
    """Adam with the paper's betas and weight decay; AdamW with --decoupled-weight-decay.

    Adam's weight decay is the paper's coupled L2 term, which Adam divides by each weight's own
    gradient scale: a weight whose data gradient is ~0 (a path the U-Net's shortcut makes
    optional) moves by about lr towards 0 every step, whatever its size, and is gone within
    |w| / lr steps. AdamW shrinks every weight by the factor (1 - lr * weight_decay) instead.
    """
    optimiser = torch.optim.AdamW if args.decoupled_weight_decay else torch.optim.Adam
    return optimiser(params, lr=args.lr, betas=(0.9, 0.99), weight_decay=args.weight_decay)


def pick_device(name):
    if name == "cuda":
        if not torch.cuda.is_available():
            raise SystemExit(
                f"error: --device cuda was requested but CUDA is not available to this PyTorch "
                f"({torch.__version__}, built with CUDA {torch.version.cuda}). "
                f"Use --device cpu, or run on a machine with an NVIDIA GPU and a CUDA build of PyTorch."
            )
        return torch.device("cuda")
    return torch.device("cpu")


def lab_batch(rgb, device):
    """(B,3,S,S) sRGB in [0,1] -> normalized L input (B,1,S,S), full-res L and ab, and 1/4 ab."""
    lab = rgb_to_lab(rgb.to(device, non_blocking=True))
    L, ab = lab[:, :1], lab[:, 1:]
    # Target at the output resolution (1/4). The released Caffe code subsamples every 4th pixel;
    # averaging the 4x4 cell is our choice (less aliasing on 96-128 px images).
    ab_q = F.avg_pool2d(ab, STRIDE)
    x = normalize_l(L).contiguous(memory_format=torch.channels_last)
    return x, L, ab, ab_q


def train_step(model, opt, objective, rgb, device, amp):
    """One optimisation step on a batch of sRGB crops; bfloat16 autocast for the forward pass when
    amp (the loss is computed in float32). Returns the loss tensor."""
    x, _, ab, ab_q = lab_batch(rgb, device)
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
        out = model(x)
    loss = objective(out, ab, ab_q)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss


def empirical_counts(images, centres, size, max_images=4000, seed=0):
    """Hard counts of the nearest bin q* of colour images, at the target (1/4) resolution."""
    rng = np.random.default_rng(seed)
    sel = rng.permutation(images.shape[0])[:max_images]
    counts = torch.zeros(centres.shape[0], dtype=torch.float64)
    for i in range(0, len(sel), 256):
        rgb = centre_batch(images[np.sort(sel[i:i + 256])], size)
        _, _, ab, ab_q = lab_batch(rgb, torch.device("cpu"))
        keep = colour_mask(ab) > 0
        if keep.any():
            q = B.nearest_bin(ab_q[keep], centres)
            counts += torch.bincount(q.flatten(), minlength=centres.shape[0]).double()
    return counts.numpy()


def lr_at(step, args):
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    t = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.lr * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * min(1.0, t))))


class Objective:
    """Loss of the chosen variant, given a batch of sRGB crops."""

    def __init__(self, kind, centres, weights, device):
        self.kind = kind
        self.centres = centres.to(device)
        self.weights = torch.as_tensor(weights, dtype=torch.float32, device=device)

    def __call__(self, out, ab, ab_q):
        mask = colour_mask(ab)
        if self.kind == "l2":
            return l2_loss(out, ab_q / AB_SCALE, mask)
        target = B.soft_encode(ab_q, self.centres)
        # q* = the target's most probable bin = its nearest bin (largest Gaussian weight).
        pix_w = self.weights[target.argmax(dim=1)]
        return weighted_cross_entropy(out, target, pix_w, mask)

    def predict_ab(self, out):
        if self.kind == "l2":
            return out.float() * AB_SCALE
        return annealed_mean(out, self.centres)


@torch.no_grad()
def validate(model, objective, val_rgb, device, batch=64):
    model.eval()
    losses, n, aucs, cf, cf_gt, preds = 0.0, 0, [], [], [], []
    for i in range(0, val_rgb.shape[0], batch):
        x, L, ab, ab_q = lab_batch(val_rgb[i:i + batch], device)
        out = model(x)
        k = x.shape[0]
        losses += float(objective(out, ab, ab_q)) * k
        n += k
        rgb_pred, ab_pred = colourise(L, objective.predict_ab(out))
        aucs.append(auc_ab(ab_pred, ab) * k)
        preds.append(ab_pred)
        cf.append(colourfulness(rgb_pred).sum().item())
        cf_gt.append(colourfulness(val_rgb[i:i + batch].to(device)).sum().item())
    model.train()
    shares = hue_shares(torch.cat(preds))
    return {"val_loss": losses / n, "val_auc": sum(aucs) / n,
            "val_colourfulness": sum(cf) / n, "val_gt_colourfulness": sum(cf_gt) / n,
            **{f"val_{name}": share for name, share in shares.items()}}


def main(argv=None):
    args = parse_args(argv)
    device = pick_device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    ckpt_path = os.path.join(args.out, "checkpoint.pt")
    csv_path = os.path.join(args.out, "log.csv")

    def log(msg):
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    centres_np = B.ab_bins()
    centres = torch.as_tensor(centres_np, dtype=torch.float32)

    files = list_images(args.data)
    if args.max_images and args.max_images < len(files):
        files = sorted(np.random.default_rng(args.seed).choice(files, args.max_images, replace=False).tolist())
    images = preload(files, args.preload_size, args.cache, log)
    val_files = list_images(args.val)
    if args.val_images and args.val_images < len(val_files):
        val_files = sorted(np.random.default_rng(1234).choice(val_files, args.val_images, replace=False).tolist())
    val_rgb = centre_batch(preload(val_files, args.preload_size, None, lambda m: None), args.size)

    model = build_model(args.arch, args.width, 2 if args.loss == "l2" else B.NUM_BINS).to(device)
    # channels_last: measured 14.4 vs 10.7 images/s (width 16, 112px, 1 CPU thread); also the fast path on GPUs.
    model = model.to(memory_format=torch.channels_last)
    opt = make_optimiser(model.parameters(), args)

    step, wall_before = 0, 0.0
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path, map_location=device)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        step, wall_before = ck["step"], ck["wall_s"]
        prior = np.asarray(ck["prior"])
        rng.bit_generator.state = ck["numpy_rng"]
        torch.set_rng_state(ck["torch_rng"])
        log(f"resumed from {ckpt_path} at step {step}")
    else:
        if args.init_onnx:
            missing = load_eccv16_weights(model, load_onnx(args.init_onnx)[1], fresh_head=args.init_fresh_head)
            log(f"started from the weights of {args.init_onnx}; new (initial values): {', '.join(missing) or 'none'}")
        if args.prior == "imagenet":
            ref = B.load_reference(args.reference)
            if ref is None:
                raise SystemExit(f"error: --prior imagenet needs {args.reference}")
            if not np.array_equal(ref[0], centres_np):
                raise SystemExit("error: reference bins differ from the computed bins")
            prior = ref[1]  # already the smoothed empirical ImageNet distribution of the release
        else:
            prior = B.smooth_prior(empirical_counts(images, centres, args.size, seed=args.seed), centres_np)
    lam = {"full": args.rebalance_lambda, "class": 1.0, "l2": 1.0}[args.loss]
    weights = B.rebalancing_weights(prior, lam)
    objective = Objective(args.loss, centres, weights, device)
    log(f"{len(files)} training images, {val_rgb.shape[0]} validation crops, loss={args.loss}, "
        f"width={args.width}, params={sum(p.numel() for p in model.parameters()) / 1e6:.2f}M, "
        f"weights {weights.min():.3f}..{weights.max():.3f}, device={device}, threads={torch.get_num_threads()}")
    with open(os.path.join(args.out, "args.json"), "w") as f:
        json.dump(vars(args), f, indent=2)

    # On resume keep only the rows up to the checkpoint's step (later ones are recomputed).
    kept = []
    if step > 0 and os.path.exists(csv_path):
        with open(csv_path, newline="") as f:
            kept = [r for r in csv.DictReader(f) if int(r["step"]) <= step]
    csv_file = open(csv_path, "w", newline="")
    writer = csv.DictWriter(csv_file, fieldnames=CSV_FIELDS)
    writer.writeheader()
    writer.writerows(kept)

    def save():
        tmp = ckpt_path + ".tmp"
        torch.save({
            "model": model.state_dict(), "optimizer": opt.state_dict(), "step": step,
            "wall_s": wall_before + time.time() - t_start, "args": vars(args), "prior": prior.tolist(),
            "weights": weights.tolist(), "bins": centres_np.tolist(), "numpy_rng": rng.bit_generator.state,
            "torch_rng": torch.get_rng_state(), "hardware": hardware(device, torch.get_num_threads()),
            "num_train_images": len(files), "last_val": last_val,
        }, tmp)
        os.replace(tmp, ckpt_path)

    model.train()
    t_start = time.time()
    t_int, run_loss, run_n = time.time(), 0.0, 0
    last_val = None
    stop = min(args.steps, args.stop_at) if args.stop_at else args.steps
    while step < stop:
        lr = lr_at(step, args)
        for g in opt.param_groups:
            g["lr"] = lr
        size = args.small_size if args.small_size and step < args.small_steps else args.size
        loss = train_step(model, opt, objective, random_batch(images, args.batch, size, rng, args.max_zoom), device, args.amp)
        step += 1
        run_loss += float(loss)
        run_n += 1
        if step % args.log_every == 0 or step == stop or step % args.val_every == 0:
            row = {"step": step, "wall_s": round(wall_before + time.time() - t_start, 1), "lr": f"{lr:.3g}",
                   "train_loss": f"{run_loss / run_n:.5f}",
                   "images_per_s": f"{run_n * args.batch / (time.time() - t_int):.1f}"}
            if step % args.val_every == 0 or step == args.steps:
                last_val = validate(model, objective, val_rgb, device)
                row.update({k: f"{v:.5f}" for k, v in last_val.items()})
            writer.writerow(row)
            csv_file.flush()
            log(" ".join(f"{k}={v}" for k, v in row.items()))
            t_int, run_loss, run_n = time.time(), 0.0, 0
            if step % args.val_every == 0 or step == args.steps:
                silent = silent_blocks(model)
                if silent:
                    log(f"warning: silent blocks {', '.join(silent)} (every BatchNorm running variance "
                        f"< {SILENT_VARIANCE:g}): they pass on a constant and will not recover; "
                        "coupled weight decay at a high learning rate does this (--decoupled-weight-decay)")
                save()
    if step == stop and step % args.val_every and step != args.steps:
        save()  # --stop-at between validation intervals
    csv_file.close()
    log(f"done: {step} steps, {wall_before + time.time() - t_start:.0f}s, checkpoint {ckpt_path}")
    return 0


def hardware(device, threads):
    if device.type == "cuda":
        return f"{torch.cuda.get_device_name(device)} (PyTorch {torch.__version__})"
    import platform
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"CPU {cpu}, {threads} thread(s) (PyTorch {torch.__version__})"


if __name__ == "__main__":
    sys.exit(main())
