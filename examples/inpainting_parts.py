"""Inpainting parts from plain Python: draw holes, fill them with the U-Net and the classical baseline.

Run from the repository root: ``python examples/inpainting_parts.py``. Nothing is trained: the
script shows how the parts fit and prints the hole ratio, which bin it falls in, and the errors.
"""

import numpy as np
import torch

from gan_engine.generators.inpainting_unet import InpaintingUNet, InpaintingUNetParams
from gan_engine.losses.holes import MaskedL1Loss, MaskedL1Params
from gan_engine.masks.mixture import Mixture, MixtureMember, MixtureParams
from gan_engine.masks.validation import validation_holes
from gan_engine.metrics.holes import ratio_bin
from gan_engine.nn.fill import biharmonic_fill, composite
from gan_engine.protocols import LossContext
from gan_engine.types import Conditioning

# Half strokes, half boxes; the probabilities must sum to 1.
masks = Mixture(
    MixtureParams(
        members=[
            MixtureMember(name="strokes", probability=0.5, params={"hole_ratio": [0.1, 0.3]}),
            MixtureMember(name="boxes", probability=0.5, params={"hole_ratio": [0.1, 0.3]}),
        ]
    )
)
train_holes = masks((64, 64), np.random.default_rng(0))  # [1, 64, 64], 1 = missing
val_holes = validation_holes(masks, (64, 64), index=0, seed=42)  # the same in every run
ratio = float(val_holes.mean())
print(f"validation mask 0: {ratio:.1%} holes ({ratio_bin(ratio)})")

y, x = torch.meshgrid(torch.linspace(0, 1, 64), torch.linspace(0, 1, 64), indexing="ij")
image = torch.stack([x, y, x * y])[None]  # [1, 3, 64, 64]
holes = val_holes[None]  # [1, 1, 64, 64]

torch.manual_seed(0)
generator = InpaintingUNet(
    2, 3, 3, 1, InpaintingUNetParams(n_channels=16, conv="gated", ffc_blocks=1)
)
with torch.no_grad():
    filled = generator(image * (1 - holes), Conditioning(holes=holes))  # composited already
baseline = biharmonic_fill(image, holes)

known = holes.expand_as(image) == 0
assert torch.equal(filled[known], image[known])  # known pixels are kept exactly
assert torch.equal(composite(image, baseline, holes), baseline)

loss = MaskedL1Loss(MaskedL1Params(known_weight=0.0, missing_weight=1.0))
context = LossContext(target_holes=holes)
print(
    f"L1 in the holes: untrained U-Net {float(loss(filled, image, context)):.4f}, "
    f"biharmonic {float(loss(baseline, image, context)):.4f}"
)
