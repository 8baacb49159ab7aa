"""Training-step throughput, float32 against bfloat16 autocast, measured side by side.

Usage: /usr/bin/python3 -m training.bench_step [--arch siggraph17] [--width 16] [--size 96]
           [--batch 16] [--threads 1] [--loss full] [--rounds 4] [--steps 10] [--json]

Times what `training.train` does per step (random zoomed crops, sRGB -> Lab, soft-encoded target,
forward, the chosen loss, backward, Adam) on seeded random images, so no data set is needed. The
two precisions alternate round by round on the same machine load, each round after one untimed
warm-up step, and the 1-minute load average is printed beside every figure: a ratio taken while
other work loads the machine is not the quiet one. The answer to "does --amp pay here" depends on
the CPU (AMX-BF16 or AVX-512 BF16 present or not), the width and the thread count.
"""
import argparse
import json
import os
import platform
import time

import numpy as np
import torch

from . import bins as B
from .data import random_batch
from .model import build_model
from .train import Objective, train_step


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--arch", default="siggraph17")
    p.add_argument("--width", type=int, default=16)
    p.add_argument("--size", type=int, default=96)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--loss", choices=["full", "class", "l2"], default="full")
    p.add_argument("--max-zoom", type=float, default=2.0)
    p.add_argument("--rounds", type=int, default=4, help="alternating rounds per precision")
    p.add_argument("--steps", type=int, default=10, help="timed steps per round")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of lines")
    return p.parse_args(argv)


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return []
    return sorted(f for f in flags if f.startswith(("amx", "avx512_bf16", "avx512_vnni")))


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(256, 128, 128, 3), dtype=np.uint8)
    centres = torch.as_tensor(B.ab_bins(), dtype=torch.float32)
    objective = Objective(args.loss, centres, np.ones(B.NUM_BINS), torch.device("cpu"))
    runs = {}
    for amp in (False, True):
        torch.manual_seed(0)
        model = build_model(args.arch, args.width, 2 if args.loss == "l2" else B.NUM_BINS)
        model = model.to(memory_format=torch.channels_last).train()
        opt = torch.optim.Adam(model.parameters(), lr=1e-4)
        runs[amp] = (model, opt)

    def step(amp):
        model, opt = runs[amp]
        train_step(model, opt, objective, random_batch(images, args.batch, args.size, rng, args.max_zoom), torch.device("cpu"), amp)

    rows = []
    for r in range(args.rounds):
        for amp in (False, True):
            step(amp)
            load_before = os.getloadavg()[0]
            t0 = time.perf_counter()
            for _ in range(args.steps):
                step(amp)
            dt = time.perf_counter() - t0
            row = {"round": r, "precision": "bfloat16 autocast" if amp else "float32",
                   "crops_per_s": args.steps * args.batch / dt,
                   "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)]}
            rows.append(row)
            if not args.json:
                print(f"round {r} {row['precision']:>17}: {row['crops_per_s']:6.1f} crops/s "
                      f"(load average {row['load_average'][0]} -> {row['load_average'][1]})", flush=True)
    # Medians over rounds: one slow round (another process waking up) does not decide the ratio.
    median = {p: float(np.median([r["crops_per_s"] for r in rows if r["precision"] == p]))
              for p in ("float32", "bfloat16 autocast")}
    summary = {"arch": args.arch, "width": args.width, "size": args.size, "batch": args.batch,
               "threads": args.threads, "loss": args.loss, "torch": torch.__version__,
               "cpu": platform.processor() or platform.machine(), "cpu_flags": cpu_flags(),
               "median_crops_per_s": median,
               "bf16_over_float32": median["bfloat16 autocast"] / median["float32"], "rounds": rows}
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"median: float32 {median['float32']:.1f}, bfloat16 autocast {median['bfloat16 autocast']:.1f} crops/s; "
              f"ratio {summary['bf16_over_float32']:.2f} ({', '.join(summary['cpu_flags']) or 'no BF16/AMX flags'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
