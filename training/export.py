"""Export a trained checkpoint to ONNX + manifest + parity data (+ model card).

python3 -m training.export --checkpoint RUN/checkpoint.pt --out models/NAME.onnx [--name ours-full]

Writes, beside NAME.onnx:
  NAME.manifest.json   the platform's model manifest (schemaVersion 1, validated with zod in TS)
  NAME.parity.bin      float32 little-endian: a seeded 1x1x32x32 input, then PyTorch's output at it
  NAME.parity.json     shapes/names/offsets for NAME.parity.bin
  NAME.md              model card (data, steps, batch, hardware, wall time, validation numbers)
Outputs: "full"/"class" -> logits over the 313 bins at 1/4 resolution (decoded by the platform
with the annealed mean, T = 0.38); "l2" -> ab at 1/4 resolution, in ab units (abScale 1).
"""
import argparse
import csv
import json
import os
import sys

import numpy as np
import torch
from torch import nn

from . import bins as B
from .model import AB_SCALE, L_OFFSET, L_SCALE, build_model

ARCH_TEXT = {
    "eccv16": "ECCV16 architecture",
    "siggraph17": "SIGGRAPH17 U-Net without hints (shortcut from block 3, 1/4-resolution class head)",
}
PARITY_SHAPE = (1, 1, 32, 32)
PARITY_SEED = 20160101
TEMPERATURE = 0.38  # paper Sec. 2.2: annealed-mean temperature


class ABOutput(nn.Module):
    """The L2 model's head predicts ab / 110; the exported graph returns ab in ab units."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x) * AB_SCALE


def load_model(ck):
    args = ck["args"]
    kind = args["loss"]
    net = build_model(args.get("arch", "eccv16"), args["width"], 2 if kind == "l2" else B.NUM_BINS)
    net.load_state_dict(ck["model"])
    net = net.to(memory_format=torch.contiguous_format).eval()
    return (ABOutput(net) if kind == "l2" else net).eval(), kind


def adjust_logits(net, weights, alpha):
    """Logit adjustment folded into the head's bias (exact): logits − alpha · log w."""
    with torch.no_grad():
        net.head.bias -= alpha * torch.log(torch.as_tensor(weights, dtype=net.head.bias.dtype))


def adjustment_text(alpha):
    """"−0.5 · log w" for alpha 0.5, "+0.3 · log w" for alpha −0.3: what the logits had added."""
    return f"{'−' if alpha > 0 else '+'}{abs(alpha):g} · log w"


def parity_input():
    g = torch.Generator().manual_seed(PARITY_SEED)
    L = torch.rand(PARITY_SHAPE, generator=g, dtype=torch.float32) * 100.0  # L in 0..100
    return (L + L_OFFSET) * L_SCALE


def read_log(run_dir):
    path = os.path.join(run_dir, "log.csv")
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m training.export", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--out", required=True, help="models/NAME.onnx")
    p.add_argument("--name", default=None, help="manifest name (default: ours-<loss>)")
    p.add_argument("--description", default=None)
    p.add_argument("--opset", type=int, default=13)
    p.add_argument("--input-size", type=int, default=256, help="nominal input height/width in the manifest")
    p.add_argument("--fp16", action="store_true", help="store weights as float16 (only if size requires)")
    p.add_argument("--temperature", type=float, default=TEMPERATURE,
                   help="annealed-mean temperature the manifest tells the platform to decode with (paper 0.38); "
                        "pick it on validation photos, never on the photos a study reports")
    p.add_argument("--logit-adjustment", type=float, default=0.0,
                   help="full only: subtract ALPHA × log w from the head's bias, w the run's rebalancing weights, "
                        "ALPHA in [-1, 1]. Trained with weights w, the network predicts a distribution ∝ w · p(colour | "
                        "image): 0 keeps that (the paper), 1 divides w out again (common colours), -1 applies it once "
                        "more (rare colours); a decoding-time λ. Pick it on validation photos")
    p.add_argument("--note", default="", help="extra paragraph for the model card's caveats")
    p.add_argument("--no-card", action="store_true", help="do not (re)write the model card NAME.md")
    a = p.parse_args(argv)
    if a.fp16:
        raise SystemExit("error: --fp16 is not implemented; the shipped models are fp32 and small enough")

    ck = torch.load(a.checkpoint, map_location="cpu")
    if not np.array_equal(np.asarray(ck["bins"]), B.ab_bins()):
        raise SystemExit("error: the checkpoint's bins differ from the computed grid10-in-gamut table")
    model, kind = load_model(ck)
    targs = ck["args"]
    if not a.temperature > 0:
        raise SystemExit("error: --temperature must be positive")
    if kind == "l2" and a.temperature != TEMPERATURE:
        raise SystemExit("error: --temperature concerns class outputs; an l2 model regresses ab and has none")
    if a.logit_adjustment and kind != "full":
        raise SystemExit("error: --logit-adjustment concerns the full loss's rebalancing weights; this is a "
                         f"{kind} model")
    if not -1 <= a.logit_adjustment <= 1:
        raise SystemExit("error: --logit-adjustment must be in [-1, 1]")
    if a.logit_adjustment:
        adjust_logits(model, ck["weights"], a.logit_adjustment)
    out_dir = os.path.dirname(os.path.abspath(a.out))
    stem = os.path.splitext(os.path.basename(a.out))[0]
    os.makedirs(out_dir, exist_ok=True)
    out_name = "ab" if kind == "l2" else "logits"

    x = parity_input()
    with torch.no_grad():
        y = model(x).contiguous()
    torch.onnx.export(
        model, x, a.out, opset_version=a.opset, input_names=["input_l"], output_names=[out_name],
        dynamic_axes={"input_l": {0: "batch", 2: "height", 3: "width"},
                      out_name: {0: "batch", 2: "out_height", 3: "out_width"}},
        do_constant_folding=True,
    )

    # Parity data: input then output, float32 little-endian, described by NAME.parity.json.
    with open(os.path.join(out_dir, f"{stem}.parity.bin"), "wb") as f:
        f.write(x.numpy().astype("<f4").tobytes())
        f.write(y.numpy().astype("<f4").tobytes())
    parity = {
        "dtype": "float32", "byteOrder": "little", "seed": PARITY_SEED,
        "input": {"name": "input_l", "shape": list(x.shape), "byteOffset": 0},
        "output": {"name": out_name, "shape": list(y.shape), "byteOffset": x.numel() * 4},
        "tolerance": 1e-4,
        "note": "input = (L - 50) / 100 with L uniform in [0, 100); output from PyTorch " + torch.__version__,
    }
    with open(os.path.join(out_dir, f"{stem}.parity.json"), "w") as f:
        json.dump(parity, f, indent=2)
        f.write("\n")

    log = read_log(os.path.dirname(os.path.abspath(a.checkpoint)))
    last_val = ck.get("last_val") or {}
    wall = float(ck["wall_s"])
    hardware = ck.get("hardware", "unknown")
    lam = targs.get("rebalance_lambda", B.LAMBDA)  # checkpoints from before the option used the paper's
    adjusted = f", logits adjusted by {adjustment_text(a.logit_adjustment)}" if a.logit_adjustment else ""
    loss_text = {"full": f"full loss (class rebalancing, λ = {lam:g}{adjusted})", "class": "classification without rebalancing",
                 "l2": "L2 regression on ab"}[kind]
    name = a.name or f"ours-{kind}"
    description = a.description or (
        f"{ARCH_TEXT[targs.get('arch', 'eccv16')]}, width {targs['width']}, {loss_text}, trained on {hardware} for "
        f"{ck['step']} steps of {targs['batch']} {targs['size']}px crops ({wall / 60:.0f} min); "
        f"a small CPU reproduction, not the paper's ImageNet model."
    )
    output = {"name": out_name, "kind": "ab" if kind == "l2" else "logits", "stride": 4}
    if kind == "l2":
        output["abScale"] = 1
    manifest = {
        "schemaVersion": 1,
        "name": name,
        "description": description,
        "file": os.path.basename(a.out),
        "input": {"name": "input_l", "layout": "NCHW", "height": a.input_size, "width": a.input_size,
                  "lNormalization": {"offset": L_OFFSET, "scale": L_SCALE}},
        "output": output,
        "training": {
            "loss": kind, "arch": targs.get("arch", "eccv16"), "width": targs["width"], "steps": int(ck["step"]), "batch": targs["batch"],
            "hardware": hardware, "precision": "bfloat16 autocast" if targs.get("amp") else "float32",
            "wallTimeSeconds": round(wall, 1),
            "cropSize": targs["size"], "maxZoom": targs.get("max_zoom", 1.0), "trainImages": ck.get("num_train_images"), "seed": targs["seed"],
            "prior": targs["prior"], **({"rebalanceLambda": lam} if kind == "full" else {}),
            **({"logitAdjustment": a.logit_adjustment} if a.logit_adjustment else {}), "learningRate": targs["lr"],
            "optimiser": "AdamW" if targs.get("decoupled_weight_decay") else "Adam", "weightDecay": targs["weight_decay"],
            "opset": a.opset,
            "framework": f"PyTorch {torch.__version__}",
            "validation": {k: round(float(v), 5) for k, v in last_val.items()},
        },
    }
    if kind != "l2":  # bins and the annealed-mean temperature only concern class outputs
        manifest = {**{k: v for k, v in manifest.items() if k != "training"},
                    "bins": {"source": "grid10-in-gamut"}, "decoding": {"temperature": a.temperature},
                    "training": manifest["training"]}
    with open(os.path.join(out_dir, f"{stem}.manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
        f.write("\n")
    if not a.no_card:
        write_card(os.path.join(out_dir, f"{stem}.md"), manifest, ck, log, a.out, a.note)
    print(f"wrote {a.out} ({os.path.getsize(a.out) / 1e6:.2f} MB), manifest, parity and card for {name}")
    return 0


def write_card(path, manifest, ck, log, onnx_path, note=""):
    t = manifest["training"]
    targs = ck["args"]
    v = t["validation"]
    vals = [r for r in log if r.get("val_loss")]
    rows = "\n".join(
        f"| {r['step']} | {float(r['wall_s']) / 60:.1f} | {float(r['train_loss']):.4f} | {float(r['val_loss']):.4f} | "
        f"{float(r['val_auc']):.2f} | {float(r['val_colourfulness']):.2f} |" for r in vals)
    loss_unit = ("mean squared error of ab / 110 per pixel" if t["loss"] == "l2" else
                 "cross-entropy per pixel with the soft-encoded target" +
                 (", rebalanced (w(q*))" if t["loss"] == "full" else ", uniform weights"))
    text = f"""# Model card: {manifest['name']} (`{os.path.basename(onnx_path)}`)

{manifest['description']}

| | |
|---|---|
| architecture | {ARCH_TEXT[targs.get('arch', 'eccv16')]} (Zhang, Isola, Efros 2016; Zhang et al. 2017), width {t['width']} (conv1 channels; paper 64), {sum(x.numel() for x in ck['model'].values() if x.dtype.is_floating_point) / 1e6:.2f} M parameters |
| objective | `{t['loss']}`: {loss_unit} |
| output | `{manifest['output']['name']}`, kind `{manifest['output']['kind']}`, 1/4 resolution{', abScale 1' if t['loss'] == 'l2' else f', 313 bins grid10-in-gamut, decode with annealed mean T = {manifest["decoding"]["temperature"]:g}'}{f"; the head's bias carries a logit adjustment of {adjustment_text(t['logitAdjustment'])} (w: the rebalancing weights), so decoding divides w^{t['logitAdjustment']:g} out of the rebalanced prediction" if t.get('logitAdjustment') else ''} |
| data | {t['trainImages']} images, a seeded subset of `datasets/train/` (Imagenette, Caltech-101, Intel scenes; 128 px, Intel 100 px upscaled to 128), random {t['cropSize']} px crops{f", each enlarged by a random factor in [1, {t['maxZoom']:g}]" if t.get('maxZoom', 1.0) > 1 else ''}, horizontal flips |
| class prior | {'not used (regression)' if t['loss'] == 'l2' else 'uniform weights (λ = 1), prior not used' if t['loss'] == 'class' else targs['prior'] + f" (smoothed, σ = 5), λ = {t['rebalanceLambda']:g}"} |
| steps × batch | {t['steps']} × {t['batch']} ({t['steps'] * t['batch']} crops) |
| optimiser | {t['optimiser']} (β 0.9, 0.99), {'decoupled' if t['optimiser'] == 'AdamW' else 'coupled (L2)'} weight decay {t['weightDecay']:g}, peak lr {targs['lr']}, {targs['warmup']} warm-up steps, cosine to 10 % |
| hardware | {t['hardware']} |
| precision | {t['precision']} (the loss in float32) |
| wall time | {t['wallTimeSeconds'] / 60:.1f} min (machine shared with other work) |
| seed | {t['seed']} |
| file size | {os.path.getsize(onnx_path) / 1e6:.2f} MB (fp32, ONNX opset {t['opset']}) |

## Validation ({targs['val_images']} centre crops of {t['cropSize']} px from `datasets/val/`, computed in Python)

Final: validation loss **{v.get('val_loss', float('nan')):.4f}** (this model's own objective; not comparable
across objectives), AuC of per-pixel ab error (thresholds 0–150, normalized to 100)
**{v.get('val_auc', float('nan')):.2f}**, mean colourfulness (Hasler–Süsstrunk) **{v.get('val_colourfulness', float('nan')):.2f}**
vs ground truth **{v.get('val_gt_colourfulness', float('nan')):.2f}**. Predicted ab at 1/4 resolution is upsampled
bilinearly and joined with the full-resolution L{' after annealed-mean decoding (T = 0.38)' if t['loss'] != 'l2' else ''}.
The platform's TypeScript metrics command re-measures these on its own images.

| step | wall (min) | train loss (last log interval) | val loss | val AuC | val colourfulness |
|---|---|---|---|---|---|
{rows}

## Caveats
A tiny model trained for minutes on 2 shared CPU cores: it is a working reproduction of the
objective and pipeline, far from the paper's model (32 M parameters, 450 k iterations on ImageNet).
Reproduce with the command in `docs/training.md`.
{chr(10) + note + chr(10) if note else ""}"""
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    sys.exit(main())
