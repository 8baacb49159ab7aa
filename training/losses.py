"""Training objectives: the paper's rebalanced multinomial cross-entropy (Eq. 2) and the L2
regression ablation ("Ours (L2)"). Both ignore images without colour.
"""
import torch
import torch.nn.functional as F

GRAY_THRESHOLD = 5.0  # paper/released code: an image with no |ab| > 5 is treated as gray


def colour_mask(ab):
    """(B,) float mask: 1 for images with some |a| or |b| above the threshold, 0 for gray ones."""
    return (ab.abs().flatten(1).amax(dim=1) > GRAY_THRESHOLD).to(ab.dtype)


def weighted_cross_entropy(logits, target, pixel_weights, image_mask):
    """L = -Σ_hw v(Z_hw) Σ_q Z_hwq log Ẑ_hwq (paper Eq. 2), averaged over counted pixels.

    logits: (B, Q, h, w); target: soft encoding (B, Q, h, w); pixel_weights: w(q*) (B, h, w);
    image_mask: (B,). Averaging (instead of the paper's sum) only rescales the gradient.
    """
    logp = F.log_softmax(logits.float(), dim=1)
    ce = -(target * logp).sum(dim=1)  # (B, h, w)
    m = image_mask[:, None, None].expand_as(ce)
    denom = m.sum().clamp(min=1.0)
    return (ce * pixel_weights * m).sum() / denom


def l2_loss(pred, target_ab_scaled, image_mask):
    """Paper Eq. 1 (Euclidean loss on ab), on ab / AB_SCALE, mean over counted pixels."""
    se = ((pred.float() - target_ab_scaled) ** 2).sum(dim=1)  # (B, h, w)
    m = image_mask[:, None, None].expand_as(se)
    return (se * m).sum() / m.sum().clamp(min=1.0)
