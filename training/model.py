"""ECCV16 colorization network (paper Fig. 2; the table in docs/training.md) with a width multiplier.

width = channels of conv1 (the paper's network has width 64). Block channels scale as
conv1..conv8 = width * (1, 2, 4, 8, 8, 8, 8, 4). Layout follows the released PyTorch port:
conv -> ReLU repeated, BatchNorm after the last ReLU of blocks 1-7, stride 2 on the last conv of
blocks 1-3, dilation 2 in blocks 5-6, a 4x4 stride-2 transposed conv opening block 8, and a
1x1 conv head. Output is 1/4 of the input resolution.
"""
import torch
from torch import nn

from .bins import NUM_BINS

L_OFFSET = -50.0  # model input = (L + offset) * scale, as the released PyTorch port: (L - 50) / 100
L_SCALE = 0.01
AB_SCALE = 110.0  # the released port multiplies its ab output by 110; our L2 head predicts ab / 110


def _block(cin, cout, n, stride_last=1, dilation=1, bn=True):
    layers = []
    for i in range(n):
        stride = stride_last if i == n - 1 else 1
        layers += [
            nn.Conv2d(cin if i == 0 else cout, cout, 3, stride=stride, padding=dilation, dilation=dilation, bias=True),
            nn.ReLU(inplace=True),
        ]
    if bn:
        layers.append(nn.BatchNorm2d(cout))
    return nn.Sequential(*layers)


class ECCV16(nn.Module):
    def __init__(self, width=64, out_channels=NUM_BINS):
        super().__init__()
        c = [width * m for m in (1, 2, 4, 8, 8, 8, 8, 4)]
        self.width = width
        self.conv1 = _block(1, c[0], 2, stride_last=2)
        self.conv2 = _block(c[0], c[1], 2, stride_last=2)
        self.conv3 = _block(c[1], c[2], 3, stride_last=2)
        self.conv4 = _block(c[2], c[3], 3)
        self.conv5 = _block(c[3], c[4], 3, dilation=2)
        self.conv6 = _block(c[4], c[5], 3, dilation=2)
        self.conv7 = _block(c[5], c[6], 3)
        self.conv8 = nn.Sequential(
            nn.ConvTranspose2d(c[6], c[7], 4, stride=2, padding=1, bias=True),
            nn.ReLU(inplace=True),
            nn.Conv2d(c[7], c[7], 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(c[7], c[7], 3, padding=1),
            nn.ReLU(inplace=True),
        )
        # "full"/"class": 313 logits; "l2": 2 channels (ab / AB_SCALE).
        self.head = nn.Conv2d(c[7], out_channels, 1, bias=True)

    def forward(self, x):
        """x: normalized L, (B, 1, H, W) with H, W multiples of 8 -> (B, C, H/4, W/4)."""
        for blk in (self.conv1, self.conv2, self.conv3, self.conv4, self.conv5, self.conv6, self.conv7, self.conv8):
            x = blk(x)
        return self.head(x)


def normalize_l(L):
    return (L + L_OFFSET) * L_SCALE
