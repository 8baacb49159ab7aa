"""Exact sRGB (D65) <-> CIE Lab conversion, in PyTorch (batched, differentiable) and NumPy.

Constants: IEC 61966-2-1 sRGB transfer function and primaries, D65 reference white
(X, Y, Z) = (0.95047, 1.0, 1.08883), CIE 1976 L*a*b* with the exact CIE constants
eps = 216/24389 and kappa = 24389/27 (the rational forms, not the rounded 0.008856 / 903.3).
The paper works in CIE Lab (Sec. 2: "We perform this task in the CIE Lab color space").
"""
import numpy as np
import torch

WHITE_D65 = np.array([0.95047, 1.0, 1.08883], dtype=np.float64)  # D65, 2° observer (CIE 15)
# sRGB primaries (IEC 61966-2-1 chromaticities), scaled so that RGB (1, 1, 1) maps exactly to the
# white above: neutral greys then get a = b = 0 exactly (the rounded 7-digit matrix usually printed
# gives |ab| ~ 2e-5 for greys). Agrees with that printed matrix to 1e-6.
_PRIMARIES_XY = np.array([[0.64, 0.33], [0.30, 0.60], [0.15, 0.06]])
_P = np.stack([_PRIMARIES_XY[:, 0] / _PRIMARIES_XY[:, 1], np.ones(3),
               (1 - _PRIMARIES_XY.sum(1)) / _PRIMARIES_XY[:, 1]])  # columns: XYZ of R, G, B (Y = 1)
RGB_TO_XYZ = _P * np.linalg.solve(_P, WHITE_D65)[None, :]
XYZ_TO_RGB = np.linalg.inv(RGB_TO_XYZ)
EPS = 216.0 / 24389.0
KAPPA = 24389.0 / 27.0


def _srgb_to_linear(c):
    return torch.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _linear_to_srgb(c):
    c = c.clamp(min=0.0)
    return torch.where(c <= 0.0031308, c * 12.92, 1.055 * c ** (1.0 / 2.4) - 0.055)


def rgb_to_lab(rgb):
    """rgb: float tensor (..., 3, H, W) in [0, 1] (sRGB) -> Lab (..., 3, H, W), L in [0, 100]."""
    lin = _srgb_to_linear(rgb)
    m = torch.as_tensor(RGB_TO_XYZ / WHITE_D65[:, None], dtype=rgb.dtype, device=rgb.device)
    xyz = torch.einsum("ij,...jhw->...ihw", m, lin)
    f = torch.where(xyz > EPS, xyz.clamp(min=EPS) ** (1.0 / 3.0), (KAPPA * xyz + 16.0) / 116.0)
    fx, fy, fz = f.unbind(-3)
    return torch.stack([116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)], dim=-3)


def lab_to_rgb(lab, clip=True):
    """Lab (..., 3, H, W) -> sRGB (..., 3, H, W); out-of-gamut values clipped to [0, 1] if clip."""
    L, a, b = lab.unbind(-3)
    fy = (L + 16.0) / 116.0
    fx = fy + a / 500.0
    fz = fy - b / 200.0

    def finv(t):
        t3 = t ** 3
        return torch.where(t3 > EPS, t3, (116.0 * t - 16.0) / KAPPA)

    y = torch.where(L > KAPPA * EPS, fy ** 3, L / KAPPA)
    xyz = torch.stack([finv(fx), y, finv(fz)], dim=-3)
    m = torch.as_tensor(XYZ_TO_RGB * WHITE_D65[None, :], dtype=lab.dtype, device=lab.device)
    lin = torch.einsum("ij,...jhw->...ihw", m, xyz)
    rgb = _linear_to_srgb(lin)
    return rgb.clamp(0.0, 1.0) if clip else rgb


def lab_to_linear_rgb_np(L, a, b):
    """NumPy, element-wise: Lab -> *unclipped* linear sRGB (..., 3). Used for the gamut test."""
    L, a, b = (np.asarray(v, dtype=np.float64) for v in (L, a, b))
    fy = (L + 16.0) / 116.0
    fx = fy + a / 500.0
    fz = fy - b / 200.0

    def finv(t):
        return np.where(t ** 3 > EPS, t ** 3, (116.0 * t - 16.0) / KAPPA)

    y = np.where(L > KAPPA * EPS, fy ** 3, L / KAPPA)
    xyz = np.stack([finv(fx) * WHITE_D65[0], y, finv(fz) * WHITE_D65[2]], axis=-1)
    return xyz @ XYZ_TO_RGB.T
