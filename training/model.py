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


class UNet17(nn.Module):
    """The SIGGRAPH17 generator (Zhang et al. 2017, "Real-Time User-Guided Image Colorization")
    without user hints, cut at its 1/4-resolution classification branch, with a width multiplier.

    Same encoder as ECCV16 (blocks of 2, 2, 3, 3, 3, 3, 3 convs, BatchNorm after each, dilation 2
    in blocks 5-6), but, as in SIGGRAPH17, block 3 runs at stride 1 (every other pixel of its
    output feeds block 4) and a shortcut: block 8 = transposed conv of block 7 + a 3x3 conv of
    block 3 (same 1/4 resolution), then 2 convs. The shortcut gives the head the
    fine, low-level features of block 3 directly, instead of only through the 1/8 bottleneck.
    Output: `out_channels` at 1/4 resolution (313 logits, or 2 for the L2 ablation), so the
    exported model has exactly the ECCV16 model's interface. The SIGGRAPH17 decoder's 1/2 and
    full-resolution stages (conv9, conv10) serve its hint-driven regression output and are left
    out: the platform upsamples the 1/4-resolution ab like ECCV16's.
    """

    def __init__(self, width=64, out_channels=NUM_BINS):
        super().__init__()
        c = [width * m for m in (1, 2, 4, 8, 8, 8, 8, 4)]
        self.width = width
        # SIGGRAPH17 runs blocks 1-2 at stride 1 and keeps every other pixel of their output; as
        # nothing else reads those full-resolution maps here (no conv9/conv10), the last conv of
        # each is strided instead: the same values at a quarter of the cost.
        self.conv1 = _block(1, c[0], 2, stride_last=2)
        self.conv2 = _block(c[0], c[1], 2, stride_last=2)
        self.conv3 = _block(c[1], c[2], 3)
        self.conv4 = _block(c[2], c[3], 3)
        self.conv5 = _block(c[3], c[4], 3, dilation=2)
        self.conv6 = _block(c[4], c[5], 3, dilation=2)
        self.conv7 = _block(c[5], c[6], 3)
        self.up8 = nn.ConvTranspose2d(c[6], c[7], 4, stride=2, padding=1, bias=True)
        self.short3_8 = nn.Conv2d(c[2], c[7], 3, padding=1, bias=True)
        # SIGGRAPH17 ends block 8 with a BatchNorm; ECCV16's block 8 has none. Without it, and with
        # the shortcut starting at zero, this network computes exactly what an ECCV16 network of
        # the same width computes, so it can start from trained ECCV16 weights (--init-onnx).
        self.conv8 = nn.Sequential(
            nn.ReLU(inplace=True),
            nn.Conv2d(c[7], c[7], 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(c[7], c[7], 3, padding=1),
            nn.ReLU(inplace=True),
        )
        nn.init.zeros_(self.short3_8.weight)
        nn.init.zeros_(self.short3_8.bias)
        self.head = nn.Conv2d(c[7], out_channels, 1, bias=True)

    def forward(self, x):
        """x: normalized L, (B, 1, H, W) with H, W multiples of 8 -> (B, C, H/4, W/4)."""
        c3 = self.conv3(self.conv2(self.conv1(x)))
        x = self.conv4(c3[:, :, ::2, ::2])
        x = self.conv7(self.conv6(self.conv5(x)))
        x = self.conv8(self.up8(x) + self.short3_8(c3))
        return self.head(x)


ARCHITECTURES = {"eccv16": ECCV16, "siggraph17": UNet17}

# Parameter names of an exported ECCV16 model (training.export) -> the U-Net's.
_ECCV16_TO_UNET = (("conv8.0.", "up8."), ("conv8.2.", "conv8.1."), ("conv8.4.", "conv8.3."))


def load_eccv16_weights(model, initializers, fresh_head=False):
    """Copy the weights of an exported ECCV16 model (ONNX initializers by parameter name; the L2
    export's "net." prefix is dropped) into `model` (ECCV16 or UNet17 of the same width and output
    channels). Returns the names of `model`'s tensors that got no weights (the U-Net's shortcut
    keeps its zero start). Raises ValueError on a shape mismatch or when nothing matches.

    fresh_head: leave the 1x1 output layer at its initial values, so that a model of another loss
    (say, l2's 2 channels from full's 313 logits) starts from that model's trunk."""
    state = model.state_dict()
    loaded = set()
    for name, array in initializers.items():
        key = name[4:] if name.startswith("net.") else name
        if isinstance(model, UNet17):
            for old, new in _ECCV16_TO_UNET:
                if key.startswith(old):
                    key = new + key[len(old):]
        if key not in state or (fresh_head and key.startswith("head.")):
            continue
        tensor = torch.as_tensor(array)
        if tuple(tensor.shape) != tuple(state[key].shape):
            raise ValueError(f"{name}: shape {tuple(tensor.shape)} does not fit {key} {tuple(state[key].shape)}")
        state[key] = tensor.to(state[key].dtype)
        loaded.add(key)
    if not loaded:
        raise ValueError("no parameter of the ONNX file matches the model")
    model.load_state_dict(state)
    return sorted(k for k in state if k not in loaded and not k.endswith("num_batches_tracked"))


# Below this, a BatchNorm's running variance says its input has been constant for a long time:
# the block no longer carries anything (its weights decayed away or its ReLUs never fire). In our
# runs a live block's largest running variance was 0.02..840; dead ones reached 1e-45 under
# coupled weight decay.
SILENT_VARIANCE = 1e-10


def silent_blocks(model):
    """Names of the top-level blocks whose every BatchNorm channel has a running variance below
    SILENT_VARIANCE, in model order. A silent block passes on a constant, so the network works as
    if it were not there; it cannot learn back, since its gradients vanish with its weights."""
    silent = []
    for name, block in model.named_children():
        norms = [m for m in block.modules() if isinstance(m, nn.BatchNorm2d)]
        if norms and all(float(m.running_var.max()) < SILENT_VARIANCE for m in norms):
            silent.append(name)
    return silent


def build_model(arch, width, out_channels):
    return ARCHITECTURES[arch](width, out_channels=out_channels)
