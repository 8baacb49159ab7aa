#!/usr/bin/python3
"""PyTorch (eager) reference for scripts/bench-colorize.ts: the same network, same weights, same threads.

Usage: /usr/bin/python3 scripts/bench_colorize_pytorch.py --onnx MODEL.onnx --output-name logits
           --size 256 --threads 2 --batches 1,8 --images 16 [--layouts nchw,channels_last] [--serve]

With --serve it loads the network, prints one JSON line ("ready": parameters, GFLOP/image, the
layout chosen per batch size), then answers commands on stdin, one JSON line each, so that the
TS benchmark can interleave PyTorch and onnxruntime runs under the same machine load:
  run B      one forward pass at batch B (fastest layout for B)  -> {"ms": …}
  peak       float32 matrix-product rate now                     -> {"peak_gflops": …, …}
  check V    output statistics for a constant input V (batch 1)    -> {"mean": …, "first": […]}
  quit

Reads the ONNX file with a minimal protobuf reader (the `onnx` package is not needed), rebuilds the
graph as eager PyTorch calls on the ONNX initializers (Conv, ConvTranspose, BatchNormalization, Relu, AveragePool/MaxPool,
elementwise Mul/Add/Sub/Div, Identity, Softmax, Constant), and times the network alone on random L
input. Also measures the machine's float32 matrix-product rate (torch.mm and numpy/OpenBLAS, the
larger is reported) in the same run, so the TS side can compute the fraction of peak it reaches.
Prints one JSON object on stdout.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from training.onnx_reader import load_onnx  # noqa: E402  (the repository root is put on the path above)


# ---- eager execution -----------------------------------------------------------------------------

def _pads(attrs, k):
    pads = attrs.get("pads", [0] * (2 * k))
    if pads[:k] != pads[k:]:
        raise ValueError(f"asymmetric pads {pads} are not supported")
    return tuple(pads[:k])


class Network:
    """The ONNX graph as a sequence of eager PyTorch calls on the ONNX weights."""

    def __init__(self, nodes, inits, memory_format=torch.contiguous_format):
        self.nodes = nodes
        self.memory_format = memory_format
        self.w = {}
        for k, v in inits.items():
            t = torch.from_numpy(v)
            if t.dim() == 4:
                t = t.contiguous(memory_format=memory_format)
            self.w[k] = t
        self.flops = None

    def __call__(self, x, output_name, count_flops=False):
        env = {**self.w}
        first_input = next(n["inputs"][0] for n in self.nodes if n["inputs"] and n["inputs"][0] not in self.w)
        env[first_input] = x.contiguous(memory_format=self.memory_format)
        flops = 0
        for n in self.nodes:
            op, a = n["op"], n["attrs"]
            ins = [env[i] if i else None for i in n["inputs"]]
            if op == "Conv":
                k = len(a.get("kernel_shape", ins[1].shape[2:]))
                y = F.conv2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None, stride=tuple(a.get("strides", [1] * k)),
                             padding=_pads(a, k), dilation=tuple(a.get("dilations", [1] * k)), groups=a.get("group", 1))
                flops += 2 * ins[1].numel() * y.shape[2] * y.shape[3]
            elif op == "ConvTranspose":
                k = len(a.get("kernel_shape", ins[1].shape[2:]))
                y = F.conv_transpose2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None, stride=tuple(a.get("strides", [1] * k)),
                                       padding=_pads(a, k), output_padding=tuple(a.get("output_padding", [0] * k)),
                                       dilation=tuple(a.get("dilations", [1] * k)), groups=a.get("group", 1))
                flops += 2 * ins[1].numel() * ins[0].shape[2] * ins[0].shape[3]
            elif op == "BatchNormalization":
                y = F.batch_norm(ins[0], ins[3], ins[4], ins[1], ins[2], training=False, eps=a.get("epsilon", 1e-5))
            elif op in ("AveragePool", "MaxPool"):
                k = len(a["kernel_shape"])
                fn = F.avg_pool2d if op == "AveragePool" else F.max_pool2d
                y = fn(ins[0], tuple(a["kernel_shape"]), stride=tuple(a.get("strides", a["kernel_shape"])), padding=_pads(a, k))
            elif op == "Relu":
                y = F.relu(ins[0], inplace=True)
            elif op in ("Mul", "Add", "Sub", "Div"):
                y = {"Mul": torch.mul, "Add": torch.add, "Sub": torch.sub, "Div": torch.div}[op](ins[0], ins[1])
            elif op == "Identity":
                y = ins[0]
            elif op == "Softmax":
                y = F.softmax(ins[0], dim=a.get("axis", -1))
            elif op == "Constant":
                y = torch.from_numpy(np.asarray(a["value"]))
            elif op == "Slice":  # opset 10+: starts, ends, axes, steps as inputs (the U-Net's strided shortcut)
                starts, ends = ins[1].tolist(), ins[2].tolist()
                axes = ins[3].tolist() if len(ins) > 3 and ins[3] is not None else list(range(len(starts)))
                steps = ins[4].tolist() if len(ins) > 4 and ins[4] is not None else [1] * len(starts)
                index = [slice(None)] * ins[0].dim()
                for axis, start, end, step in zip(axes, starts, ends, steps):
                    index[axis] = slice(start, min(end, ins[0].shape[axis]), step)
                y = ins[0][tuple(index)]
            else:
                raise ValueError(f"ONNX operator {op} is not supported by this reference runner")
            env[n["outputs"][0]] = y
        if count_flops:
            self.flops = flops  # per image: weights × output positions do not depend on the batch
        return env[output_name]


# ---- measurements ----------------------------------------------------------------------------------

def matmul_peak(threads, n=2048, reps=6):
    """Best float32 matrix-product rate (GFLOP/s) of torch.mm and numpy (OpenBLAS)."""
    torch.set_num_threads(threads)
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    best_torch = 0.0
    for _ in range(reps):
        t = time.perf_counter()
        torch.mm(a, b)
        best_torch = max(best_torch, 2 * n ** 3 / (time.perf_counter() - t) / 1e9)
    an, bn = a.numpy(), b.numpy()
    an @ bn
    best_np = 0.0
    for _ in range(reps):
        t = time.perf_counter()
        an @ bn
        best_np = max(best_np, 2 * n ** 3 / (time.perf_counter() - t) / 1e9)
    return {"torch_mm_gflops": best_torch, "numpy_matmul_gflops": best_np, "peak_gflops": max(best_torch, best_np), "n": n}


def time_network(net, output_name, size, batch, images, warmup=1):
    g = torch.Generator().manual_seed(0)
    x = torch.rand(batch, 1, size, size, generator=g) * 100.0
    x = (x - 50.0) * 0.01
    runs = max(1, -(-images // batch))
    with torch.inference_mode():
        net(x, output_name, count_flops=True)
        for _ in range(warmup - 1):
            net(x, output_name)
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            net(x, output_name)
            times.append(time.perf_counter() - t)
    total = sum(times)
    return {
        "batch": batch,
        "images": runs * batch,
        "ms_per_image": 1000 * total / (runs * batch),
        "images_per_s": runs * batch / total,
        "best_ms_per_image": 1000 * min(times) / batch,
    }


def serve(a, nodes, inits):
    nets = {"nchw": Network(nodes, inits, torch.contiguous_format), "channels_last": Network(nodes, inits, torch.channels_last)}
    g = torch.Generator().manual_seed(0)
    inputs, chosen = {}, {}
    with torch.inference_mode():
        for b in [int(x) for x in a.batches.split(",")]:
            inputs[b] = (torch.rand(b, 1, a.size, a.size, generator=g) * 100.0 - 50.0) * 0.01
            probe = {}
            for name, net in nets.items():
                if name not in a.layouts.split(","):
                    continue
                net(inputs[b], a.output_name, count_flops=True)  # warm-up
                t = time.perf_counter()
                net(inputs[b], a.output_name)
                probe[name] = time.perf_counter() - t
            chosen[b] = min(probe, key=probe.get)
        flops = nets["nchw"].flops or nets["channels_last"].flops
        print(json.dumps({"ready": True, "torch_version": torch.__version__, "threads": a.threads,
                          "mkldnn": bool(torch.backends.mkldnn.is_available()),
                          "parameters": int(sum(v.size for v in inits.values())),
                          "gflop_per_image": flops / 1e9, "layout": {str(k): v for k, v in chosen.items()}}), flush=True)
        for line in sys.stdin:
            cmd = line.split()
            if not cmd or cmd[0] == "quit":
                break
            if cmd[0] == "run":
                b = int(cmd[1])
                t = time.perf_counter()
                nets[chosen[b]](inputs[b], a.output_name)
                print(json.dumps({"ms": 1000 * (time.perf_counter() - t), "batch": b, "layout": chosen[b]}), flush=True)
            elif cmd[0] == "check":
                # Output of the network for a batch-1 input filled with the given normalized value,
                # for a same-weights check against onnxruntime.
                x = torch.full((1, 1, a.size, a.size), float(cmd[1]))
                y = nets["nchw"](x, a.output_name).flatten()
                print(json.dumps({"mean": float(y.mean()), "mean_abs": float(y.abs().mean()), "first": y[:8].tolist()}), flush=True)
            elif cmd[0] == "peak":
                print(json.dumps(matmul_peak(a.threads, reps=3)), flush=True)
            else:
                print(json.dumps({"error": f"unknown command {cmd[0]}"}), flush=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--onnx", required=True)
    p.add_argument("--output-name", required=True)
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--batches", default="1,8")
    p.add_argument("--images", type=int, default=16, help="images timed per batch size (rounded up to whole batches)")
    p.add_argument("--layouts", default="nchw,channels_last")
    p.add_argument("--serve", action="store_true", help="answer run/peak commands on stdin (see above)")
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    nodes, inits = load_onnx(a.onnx)
    load_s = time.perf_counter() - t0
    if a.serve:
        return serve(a, nodes, inits)
    peak = matmul_peak(a.threads)
    result = {
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "threads": a.threads,
        "mkldnn": bool(torch.backends.mkldnn.is_available()),
        "load_s": load_s,
        "parameters": int(sum(v.size for v in inits.values())),
        "machine": peak,
        "layouts": {},
    }
    for layout in a.layouts.split(","):
        fmt = torch.channels_last if layout == "channels_last" else torch.contiguous_format
        net = Network(nodes, inits, fmt)
        runs = [time_network(net, a.output_name, a.size, int(b), a.images) for b in a.batches.split(",")]
        result["layouts"][layout] = runs
        result["gflop_per_image"] = net.flops / 1e9
    best = {}
    for runs in result["layouts"].values():
        for r in runs:
            key = str(r["batch"])
            if key not in best or r["images_per_s"] > best[key]["images_per_s"]:
                best[key] = r
    result["best"] = best
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
