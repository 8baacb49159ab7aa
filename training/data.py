"""Image loading: decode once into a uint8 array (optionally cached as .npy outside the project),
then random crops and horizontal flips per step (paper Sec. 3: random crops, mirrored)."""
import hashlib
import os
import sys
import time

import numpy as np
import torch

EXTS = (".jpg", ".jpeg", ".png", ".JPG", ".JPEG", ".PNG")


def list_images(dirs):
    files = []
    for d in dirs:
        if not os.path.isdir(d):
            raise SystemExit(f"error: image folder not found: {d}")
        for root, _, names in os.walk(d):
            files += [os.path.join(root, n) for n in names if n.endswith(EXTS)]
    files.sort()
    if not files:
        raise SystemExit(f"error: no images under {' '.join(dirs)}")
    return files


def load_square(path, size):
    """Decode an image to RGB, scale its short side to `size` and centre-crop to size x size.
    (The Intel scenes are 100x100: they are upscaled to the common preload size.)"""
    from PIL import Image

    with Image.open(path) as im:
        im = im.convert("RGB")
        w, h = im.size
        s = size / min(w, h)
        if s != 1.0:
            im = im.resize((max(size, round(w * s)), max(size, round(h * s))), Image.BICUBIC)
        w, h = im.size
        left, top = (w - size) // 2, (h - size) // 2
        im = im.crop((left, top, left + size, top + size))
        return np.asarray(im, dtype=np.uint8)


def preload(files, size, cache_dir=None, log=print):
    """Decode `files` to a (N, size, size, 3) uint8 array; cache to cache_dir/<hash>.npy if given."""
    key = hashlib.sha1(("\n".join(files) + f"\n{size}").encode()).hexdigest()[:16]
    path = os.path.join(cache_dir, f"images-{size}-{len(files)}-{key}.npy") if cache_dir else None
    if path and os.path.exists(path):
        log(f"loading {len(files)} decoded images from cache {path}")
        return np.load(path, mmap_mode="r")
    t0 = time.time()
    arr = np.empty((len(files), size, size, 3), dtype=np.uint8)
    for i, f in enumerate(files):
        arr[i] = load_square(f, size)
        if (i + 1) % 5000 == 0:
            log(f"  decoded {i + 1}/{len(files)} ({time.time() - t0:.0f}s)")
    log(f"decoded {len(files)} images in {time.time() - t0:.1f}s")
    if path:
        os.makedirs(cache_dir, exist_ok=True)
        tmp = path + f".tmp{os.getpid()}.npy"
        np.save(tmp, arr)
        os.replace(tmp, path)
    return arr


def random_batch(images, batch, size, rng, max_zoom=1.0):
    """Random images, random size x size crops, random horizontal flips -> (B, 3, S, S) float [0,1].

    With max_zoom > 1 each crop is first taken at size / z (z uniform in [1, max_zoom]) and enlarged
    bilinearly to size: objects then appear at up to max_zoom times their thumbnail scale. The
    colorizer runs whole photos at 256 px while the training photos are 128 px thumbnails, so
    without zoom every object is twice as large at inference as the network ever saw it.
    """
    n, h, w, _ = images.shape
    idx = rng.integers(0, n, size=batch)
    if max_zoom <= 1:  # the original draws, so earlier runs resume with the same crops
        ys = rng.integers(0, h - size + 1, size=batch)
        xs = rng.integers(0, w - size + 1, size=batch)
        flips = rng.random(batch) < 0.5
        out = np.empty((batch, size, size, 3), dtype=np.uint8)
        for j in range(batch):
            crop = images[idx[j], ys[j] : ys[j] + size, xs[j] : xs[j] + size]
            out[j] = crop[:, ::-1] if flips[j] else crop
        return torch.from_numpy(out).permute(0, 3, 1, 2).float().div_(255.0)
    zooms = rng.uniform(1.0, max_zoom, size=batch)
    sides = np.clip(np.round(size / zooms).astype(int), 1, size)
    ys = rng.integers(0, h - sides + 1)
    xs = rng.integers(0, w - sides + 1)
    flips = rng.random(batch) < 0.5
    out = torch.empty((batch, 3, size, size))
    for j in range(batch):
        side = sides[j]
        crop = images[idx[j], ys[j] : ys[j] + side, xs[j] : xs[j] + side]
        crop = torch.from_numpy(np.ascontiguousarray(crop[:, ::-1] if flips[j] else crop))
        crop = crop.permute(2, 0, 1).unsqueeze(0).float().div_(255.0)
        if side != size:
            crop = torch.nn.functional.interpolate(crop, size=(size, size), mode="bilinear", align_corners=False)
        out[j] = crop[0].clamp_(0.0, 1.0)
    return out


def centre_batch(images, size):
    n, h, w, _ = images.shape
    y, x = (h - size) // 2, (w - size) // 2
    out = np.ascontiguousarray(images[:, y : y + size, x : x + size])
    return torch.from_numpy(out).permute(0, 3, 1, 2).float().div_(255.0)
