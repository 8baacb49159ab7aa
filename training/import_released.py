"""Import the authors' released PyTorch colorizers (ECCV16, SIGGRAPH17) as ONNX + manifest.

python3 -m training.import_released --arch eccv16|siggraph17 --weights FILE.pth --out models/NAME.onnx
    [--name NAME] [--output logits|ab] [--input-size 256] [--parity-size 64]

The weights are the state dicts published with github.com/richzhang/colorization (`colorizers`
package, September 2020 port of the Caffe models):
  eccv16      colorization_release_v2-9b330a0b.pth (32.2 M parameters, 129 MB)
  siggraph17  siggraph17-df00044c.pth               (34.2 M parameters, 137 MB)
both at https://colorizers.s3.us-east-2.amazonaws.com/. The networks below reproduce the released
modules layer for layer, so their state-dict keys and shapes are exactly the released ones
(`model1.0.weight`, …, `model_out.weight`); loading is strict.

Exported graphs take raw L (0..100) as `input_l` [N, 1, H, W] and normalize inside, as the released
modules do, so the manifest's lNormalization is the identity:
  eccv16 --output logits (default): the 313 logits at 1/4 resolution (block 8's last conv), decoded
      by the platform with the annealed mean at T = 0.38 — the paper's method. The released
      module's own forward takes the plain mean (T = 1) and is kept as
  eccv16 --output ab: softmax → expectation of the bin centres (`model_out`, 1×1 conv) → ×4
      bilinear upsampling → ×110, i.e. `ECCVGenerator.forward` exactly (kind ab, stride 1).
  siggraph17 (only --output ab): the regression branch at full resolution with no user hints (hint
      ab and mask all zero), i.e. `SIGGRAPHGenerator.forward(L)` (kind ab, stride 1).
Writes NAME.manifest.json and NAME.parity.bin/.json (a seeded L input of --parity-size², then the
PyTorch module's output on it) beside NAME.onnx, like training.export.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from torch import nn


L_CENT, L_NORM, AB_NORM = 50.0, 100.0, 110.0
PARITY_SEED = 20170101
TEMPERATURE = 0.38
RELEASES = {
    "eccv16": "https://colorizers.s3.us-east-2.amazonaws.com/colorization_release_v2-9b330a0b.pth",
    "siggraph17": "https://colorizers.s3.us-east-2.amazonaws.com/siggraph17-df00044c.pth",
}


def _convs(channels, dilation=1, stride_last=1, bn=True, relu_first=False):
    """[ReLU], (Conv 3×3, ReLU) per channel step, [BatchNorm]: the released blocks' layer order."""
    layers = [nn.ReLU(True)] if relu_first else []
    steps = list(zip(channels[:-1], channels[1:]))
    for i, (cin, cout) in enumerate(steps):
        stride = stride_last if i == len(steps) - 1 else 1
        layers += [nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation, bias=True), nn.ReLU(True)]
    if bn:
        layers.append(nn.BatchNorm2d(channels[-1]))
    return nn.Sequential(*layers)


class ReleasedECCV16(nn.Module):
    """`colorizers.eccv16.ECCVGenerator`: same modules, same keys."""

    def __init__(self):
        super().__init__()
        self.model1 = _convs([1, 64, 64], stride_last=2)
        self.model2 = _convs([64, 128, 128], stride_last=2)
        self.model3 = _convs([128, 256, 256, 256], stride_last=2)
        self.model4 = _convs([256, 512, 512, 512])
        self.model5 = _convs([512, 512, 512, 512], dilation=2)
        self.model6 = _convs([512, 512, 512, 512], dilation=2)
        self.model7 = _convs([512, 512, 512, 512])
        self.model8 = nn.Sequential(
            nn.ConvTranspose2d(512, 256, 4, stride=2, padding=1, bias=True), nn.ReLU(True),
            nn.Conv2d(256, 256, 3, padding=1, bias=True), nn.ReLU(True),
            nn.Conv2d(256, 256, 3, padding=1, bias=True), nn.ReLU(True),
            nn.Conv2d(256, 313, 1, bias=True),
        )
        self.softmax = nn.Softmax(dim=1)
        self.model_out = nn.Conv2d(313, 2, 1, bias=False)
        self.upsample4 = nn.Upsample(scale_factor=4, mode="bilinear")

    def logits(self, input_l):
        x = (input_l - L_CENT) / L_NORM
        for block in (self.model1, self.model2, self.model3, self.model4, self.model5, self.model6, self.model7, self.model8):
            x = block(x)
        return x

    def forward(self, input_l):
        return self.upsample4(self.model_out(self.softmax(self.logits(input_l)))) * AB_NORM


class ReleasedSIGGRAPH17(nn.Module):
    """`colorizers.siggraph17.SIGGRAPHGenerator` (529 classes): same modules, same keys."""

    def __init__(self, classes=529):
        super().__init__()
        self.model1 = _convs([4, 64, 64])
        self.model2 = _convs([64, 128, 128])
        self.model3 = _convs([128, 256, 256, 256])
        self.model4 = _convs([256, 512, 512, 512])
        self.model5 = _convs([512, 512, 512, 512], dilation=2)
        self.model6 = _convs([512, 512, 512, 512], dilation=2)
        self.model7 = _convs([512, 512, 512, 512])
        self.model8up = nn.Sequential(nn.ConvTranspose2d(512, 256, 4, stride=2, padding=1, bias=True))
        self.model3short8 = nn.Sequential(nn.Conv2d(256, 256, 3, padding=1, bias=True))
        self.model8 = _convs([256, 256, 256], relu_first=True)
        self.model9up = nn.Sequential(nn.ConvTranspose2d(256, 128, 4, stride=2, padding=1, bias=True))
        self.model2short9 = nn.Sequential(nn.Conv2d(128, 128, 3, padding=1, bias=True))
        self.model9 = _convs([128, 128], relu_first=True)
        self.model10up = nn.Sequential(nn.ConvTranspose2d(128, 128, 4, stride=2, padding=1, bias=True))
        self.model1short10 = nn.Sequential(nn.Conv2d(64, 128, 3, padding=1, bias=True))
        self.model10 = nn.Sequential(nn.ReLU(True), nn.Conv2d(128, 128, 3, padding=1, bias=True), nn.LeakyReLU(0.2))
        self.model_class = nn.Sequential(nn.Conv2d(256, classes, 1, bias=True))
        self.model_out = nn.Sequential(nn.Conv2d(128, 2, 1, bias=True), nn.Tanh())

    def forward(self, input_l):
        """Automatic mode: no user points (hint ab 0, mask 0), as `SIGGRAPHGenerator.forward(L)`."""
        zeros = input_l * 0
        x = torch.cat(((input_l - L_CENT) / L_NORM, zeros, zeros, zeros), dim=1)
        conv1_2 = self.model1(x)
        conv2_2 = self.model2(conv1_2[:, :, ::2, ::2])
        conv3_3 = self.model3(conv2_2[:, :, ::2, ::2])
        conv4_3 = self.model4(conv3_3[:, :, ::2, ::2])
        conv7_3 = self.model7(self.model6(self.model5(conv4_3)))
        conv8_3 = self.model8(self.model8up(conv7_3) + self.model3short8(conv3_3))
        conv9_3 = self.model9(self.model9up(conv8_3) + self.model2short9(conv2_2))
        conv10_2 = self.model10(self.model10up(conv9_3) + self.model1short10(conv1_2))
        return self.model_out(conv10_2) * AB_NORM


ARCHES = {"eccv16": ReleasedECCV16, "siggraph17": ReleasedSIGGRAPH17}


class _Logits(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, input_l):
        return self.net.logits(input_l)


def load_released(arch, path):
    """The released module with the state dict at `path` loaded strictly (a missing BatchNorm
    `num_batches_tracked`, absent from pre-1.0 PyTorch checkpoints, is tolerated)."""
    net = ARCHES[arch]()
    state = torch.load(path, map_location="cpu")
    if isinstance(state, dict) and "state_dict" in state and not any(k.startswith("model1.") for k in state):
        state = state["state_dict"]
    expected = net.state_dict()
    missing = [k for k in expected if k not in state and not k.endswith("num_batches_tracked")]
    unexpected = [k for k in state if k not in expected]
    if missing or unexpected:
        raise SystemExit(f"error: {path} is not a released {arch} state dict: missing {missing[:5]}"
                         f"{'…' if len(missing) > 5 else ''}, unexpected {unexpected[:5]}{'…' if len(unexpected) > 5 else ''}")
    for k, v in state.items():
        if tuple(v.shape) != tuple(expected[k].shape):
            raise SystemExit(f"error: {path}: {k} has shape {tuple(v.shape)}, the released {arch} has {tuple(expected[k].shape)}")
    net.load_state_dict(state, strict=False)
    return net.eval()


def random_state_dict(arch, seed):
    """A state dict with the released keys and shapes, filled with seeded random values (for tests:
    the real files are 130 MB each and not redistributable here). Weights are scaled so that
    activations stay O(1) through the deep stack."""
    g = torch.Generator().manual_seed(seed)
    state = {}
    for k, v in ARCHES[arch]().state_dict().items():
        if k.endswith("num_batches_tracked"):
            state[k] = torch.tensor(0, dtype=torch.long)
        elif k.endswith("running_var"):
            state[k] = 0.5 + torch.rand(v.shape, generator=g)
        elif k.endswith("running_mean") or k.endswith("bias"):
            state[k] = 0.1 * torch.randn(v.shape, generator=g)
        elif v.dim() == 1:  # BatchNorm scale
            state[k] = 1.0 + 0.1 * torch.randn(v.shape, generator=g)
        else:
            fan_in = v[0].numel() if not k.startswith(("model8.0", "model8up", "model9up", "model10up")) else v.shape[0] * v[0, 0].numel()
            state[k] = torch.randn(v.shape, generator=g) * (2.0 / fan_in) ** 0.5
    return state


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m training.import_released", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", choices=sorted(ARCHES), required=True)
    p.add_argument("--weights", help="the released state dict (.pth)")
    p.add_argument("--random-weights", type=int, metavar="SEED",
                   help="instead of --weights: seeded random weights of the released keys and shapes (tests)")
    p.add_argument("--save-random", metavar="FILE.pth",
                   help="with --random-weights: only save that state dict (a stand-in for the released file) and exit")
    p.add_argument("--out", help="models/NAME.onnx")
    p.add_argument("--name", default=None, help="manifest name (default: the arch, e.g. eccv16-released)")
    p.add_argument("--output", choices=["logits", "ab"], default=None,
                   help="eccv16: logits (default; annealed mean T = 0.38 by the platform) or ab (the port's plain mean)")
    p.add_argument("--input-size", type=int, default=256, help="network input height/width in the manifest (released: 256)")
    p.add_argument("--parity-size", type=int, default=64, help="side of the seeded parity input")
    p.add_argument("--opset", type=int, default=13)
    a = p.parse_args(argv)
    if (a.weights is None) == (a.random_weights is None):
        p.error("give exactly one of --weights FILE and --random-weights SEED")
    output = a.output or ("logits" if a.arch == "eccv16" else "ab")
    if a.arch == "siggraph17" and output != "ab":
        p.error("siggraph17 is exported at its ab regression output (--output ab)")
    if a.parity_size % 8:
        p.error("--parity-size must be a multiple of 8")
    if a.save_random:
        if a.random_weights is None:
            p.error("--save-random needs --random-weights SEED")
        torch.save(random_state_dict(a.arch, a.random_weights), a.save_random)
        print(f"wrote {a.save_random}: seeded random weights (seed {a.random_weights}) with the released {a.arch} keys and shapes")
        return 0
    if not a.out:
        p.error("--out is required")

    if a.random_weights is not None:
        state = random_state_dict(a.arch, a.random_weights)
        net = ARCHES[a.arch]()
        net.load_state_dict(state)
        net.eval()
        source = f"seeded random weights (seed {a.random_weights}) with the released keys and shapes"
    else:
        net = load_released(a.arch, a.weights)
        source = os.path.basename(a.weights)
    module = _Logits(net).eval() if output == "logits" else net
    out_name = "logits" if output == "logits" else "ab"

    g = torch.Generator().manual_seed(PARITY_SEED)
    x = torch.rand((1, 1, a.parity_size, a.parity_size), generator=g) * 100.0
    with torch.no_grad():
        y = module(x).contiguous()
    out_dir = os.path.dirname(os.path.abspath(a.out))
    stem = os.path.splitext(os.path.basename(a.out))[0]
    os.makedirs(out_dir, exist_ok=True)
    torch.onnx.export(
        module, x, a.out, opset_version=a.opset, input_names=["input_l"], output_names=[out_name],
        dynamic_axes={"input_l": {0: "batch", 2: "height", 3: "width"}, out_name: {0: "batch", 2: "out_height", 3: "out_width"}},
        do_constant_folding=True,
    )
    with open(os.path.join(out_dir, f"{stem}.parity.bin"), "wb") as f:
        f.write(x.numpy().astype("<f4").tobytes())
        f.write(y.numpy().astype("<f4").tobytes())
    with open(os.path.join(out_dir, f"{stem}.parity.json"), "w") as f:
        json.dump({
            "dtype": "float32", "byteOrder": "little", "seed": PARITY_SEED,
            "input": {"name": "input_l", "shape": list(x.shape), "byteOffset": 0},
            "output": {"name": out_name, "shape": list(y.shape), "byteOffset": x.numel() * 4},
            "tolerance": 1e-4, "note": f"input = L uniform in [0, 100); output from PyTorch {torch.__version__}",
        }, f, indent=2)
        f.write("\n")

    params = sum(v.numel() for k, v in net.state_dict().items() if v.dtype.is_floating_point and "running" not in k)
    what = {"eccv16": "ECCV16 (Zhang, Isola, Efros 2016)", "siggraph17": "SIGGRAPH17 (Zhang et al. 2017), automatic mode (no user hints)"}[a.arch]
    manifest = {
        "schemaVersion": 1,
        "name": a.name or f"{a.arch}-released",
        "description": f"{what}, the authors' released PyTorch weights ({source}), imported with training.import_released",
        "file": os.path.basename(a.out),
        "input": {"name": "input_l", "layout": "NCHW", "height": a.input_size, "width": a.input_size,
                  "lNormalization": {"offset": 0, "scale": 1}},
        "output": ({"name": "logits", "kind": "logits", "stride": 4} if output == "logits"
                   else {"name": "ab", "kind": "ab", "stride": 1, "abScale": 1}),
        **({"bins": {"source": "grid10-in-gamut"}, "decoding": {"temperature": TEMPERATURE}} if output == "logits" else {}),
        "training": {"source": source, "release": RELEASES[a.arch], "arch": a.arch, "parameters": params,
                     "opset": a.opset, "framework": f"PyTorch {torch.__version__}"},
    }
    with open(os.path.join(out_dir, f"{stem}.manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {a.out} ({os.path.getsize(a.out) / 1e6:.1f} MB, {params / 1e6:.1f} M parameters), "
          f"{stem}.manifest.json and parity data; output {out_name} {list(y.shape)} for a {a.parity_size}² input")
    return 0


if __name__ == "__main__":
    sys.exit(main())
