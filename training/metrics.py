"""Validation metrics computed in Python (the platform's TypeScript metrics re-measure later).

- AuC of the per-pixel ab error: share of pixels whose Euclidean ab error is <= t, for
  t = 0..150 (step 1), averaged (i.e. integrated and normalized to 100). Paper Sec. 3.1.
- Colourfulness of Hasler & Süsstrunk (2003): sigma_rgyb + 0.3 * mu_rgyb on 0..255 RGB.
"""
import torch
import torch.nn.functional as F

from .color import lab_to_rgb

AUC_THRESHOLDS = torch.arange(0, 151, dtype=torch.float32)


def annealed_mean(logits, centres, temperature=0.38):
    """Paper Eq. 5: f_T(z) ∝ exp(log z / T); ab = E[centres] under f_T. -> (B, 2, h, w)."""
    p = F.softmax(logits.float() / temperature, dim=1)  # softmax(log softmax(x)/T) = softmax(x/T)
    return torch.einsum("bqhw,qc->bchw", p, centres.to(p))


def auc_ab(pred_ab, true_ab):
    """pred_ab, true_ab: (B, 2, H, W). Returns AuC in percent (0..100)."""
    err = (pred_ab - true_ab).pow(2).sum(1).sqrt().flatten()
    t = AUC_THRESHOLDS.to(err)
    return float((err[None, :] <= t[:, None]).float().mean(1).mean() * 100.0)


def colourfulness(rgb):
    """rgb: (B, 3, H, W) in [0, 1]. Returns per-image Hasler–Süsstrunk colourfulness (B,)."""
    x = rgb * 255.0
    r, g, b = x[:, 0], x[:, 1], x[:, 2]
    rg = (r - g).flatten(1)
    yb = (0.5 * (r + g) - b).flatten(1)
    sigma = (rg.var(1, unbiased=False) + yb.var(1, unbiased=False)).sqrt()
    mu = (rg.mean(1) ** 2 + yb.mean(1) ** 2).sqrt()
    return sigma + 0.3 * mu


def colourise(L, ab_quarter):
    """Join full-resolution L with the 1/4-resolution ab upsampled bilinearly -> RGB."""
    ab = F.interpolate(ab_quarter, size=L.shape[-2:], mode="bilinear", align_corners=False)
    return lab_to_rgb(torch.cat([L, ab], dim=1)), ab


# Hue sectors of the CIELab hue angle h = atan2(b, a) in degrees, bounded half-way between the
# unique hues' angles in CIELab (red 24°, yellow 90°, green 162°, blue 246°): every chromatic pixel
# falls in exactly one sector. The same sectors as lib/metrics/hue-shares.ts.
HUE_SECTORS = (("red", 327.0, 57.0), ("yellow", 57.0, 126.0), ("green", 126.0, 204.0), ("blue", 204.0, 327.0))
CHROMA_MIN = 10.0


def hue_shares(ab):
    """ab: (B, 2, H, W). Share (%) of each hue sector among pixels with chroma > CHROMA_MIN."""
    a, b = ab[:, 0].flatten(), ab[:, 1].flatten()
    chromatic = (a * a + b * b) > CHROMA_MIN ** 2
    h = torch.rad2deg(torch.atan2(b[chromatic], a[chromatic])) % 360.0
    n = max(1, int(chromatic.sum()))
    out = {}
    for name, lo, hi in HUE_SECTORS:
        inside = ((h >= lo) | (h < hi)) if lo > hi else ((h >= lo) & (h < hi))
        out[name] = 100.0 * float(inside.sum()) / n
    return out
