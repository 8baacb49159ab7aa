"""Pack a size-capped, seeded subset of training images to travel with the code (e.g. to a GPU
server without access to the datasets).

python3 -m training.pack_subset --data DIR [DIR ...] --out DIR --max-mb 60 [--seed 0] [--max-side 128]

Images are drawn round-robin across the given folders (so every source is represented) in a
seeded random order and copied until the total would exceed --max-mb. Images whose longer side
exceeds --max-side are re-encoded (JPEG quality 90) at that size; others are copied byte for byte.
Layout: OUT/<folder name>/<relative path>, plus OUT/SUBSET.json listing sources and counts.
"""
import argparse
import io
import json
import os
import shutil
import sys

import numpy as np

from .data import EXTS


def _files(d):
    out = []
    for root, _, names in os.walk(d):
        out += [os.path.relpath(os.path.join(root, n), d) for n in names if n.endswith(EXTS)]
    return sorted(out)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m training.pack_subset", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", nargs="+", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--max-mb", type=float, default=60.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-side", type=int, default=128)
    a = p.parse_args(argv)
    budget = int(a.max_mb * 1e6)
    rng = np.random.default_rng(a.seed)
    queues = []
    for d in a.data:
        if not os.path.isdir(d):
            raise SystemExit(f"error: not a folder: {d}")
        fs = _files(d)
        queues.append((d, [fs[i] for i in rng.permutation(len(fs))]))
    names = [os.path.basename(os.path.normpath(d)) for d, _ in queues]
    if len(set(names)) != len(names):
        raise SystemExit("error: source folders must have distinct names")
    if os.path.exists(a.out) and os.listdir(a.out):
        raise SystemExit(f"error: {a.out} exists and is not empty")
    os.makedirs(a.out, exist_ok=True)

    total, counts, full = 0, {n: 0 for n in names}, False
    for i in range(max(len(q) for _, q in queues)):
        for (d, q), name in zip(queues, names):
            if i >= len(q):
                continue
            src = os.path.join(d, q[i])
            size, data = _maybe_shrink(src, a.max_side)
            if total + size > budget:
                full = True
                break
            rel = q[i] if data is None else os.path.splitext(q[i])[0] + ".jpg"
            dst = os.path.join(a.out, name, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if data is None:
                shutil.copyfile(src, dst)
            else:
                with open(dst, "wb") as f:
                    f.write(data)
            total += size
            counts[name] += 1
        if full:
            break
    info = {"sources": [os.path.abspath(d) for d, _ in queues], "counts": counts, "bytes": total,
            "maxMb": a.max_mb, "seed": a.seed, "maxSide": a.max_side}
    with open(os.path.join(a.out, "SUBSET.json"), "w") as f:
        json.dump(info, f, indent=2)
    print(f"packed {sum(counts.values())} images, {total / 1e6:.1f} MB into {a.out}: {counts}")
    return 0


def _maybe_shrink(path, max_side):
    """(size in bytes, None) to copy the file as is, or (size, JPEG bytes) re-encoded."""
    from PIL import Image

    with Image.open(path) as im:
        if max(im.size) <= max_side and im.format == "JPEG" and im.mode == "RGB":
            return os.path.getsize(path), None
        im = im.convert("RGB")
        s = max_side / max(im.size)
        if s < 1:
            im = im.resize((max(1, round(im.size[0] * s)), max(1, round(im.size[1] * s))), Image.BICUBIC)
        buf = io.BytesIO()
        im.save(buf, format="JPEG", quality=90)
        return len(buf.getvalue()), buf.getvalue()


if __name__ == "__main__":
    sys.exit(main())
