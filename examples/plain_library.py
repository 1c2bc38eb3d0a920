"""GAN-Engine as a plain library: no YAML, no containers; build the parts and call ``Trainer.fit``.

Run from anywhere: ``python examples/plain_library.py``. It trains two steps on crops of a photo that
ships with scikit-image, then runs the same generator class on a 3D volume.
"""

import lightning.pytorch as pl
import numpy as np
import torch
from skimage import data
from torch.utils.data import DataLoader, Dataset

from gan_engine.discriminators.patchgan import PatchGANDiscriminator, PatchGANParams
from gan_engine.generators.srresnet import SRResNet, SRResNetParams
from gan_engine.losses.adversarial import BCEAdversarialLoss
from gan_engine.losses.pixel import L1Loss
from gan_engine.nn.interpolate import downsample
from gan_engine.normalisers.scale import MinMaxNormaliser, MinMaxParams
from gan_engine.training.config import TrainingConfig
from gan_engine.training.module import GANModule
from gan_engine.training.terms import AdversarialTerm, LossTerm
from gan_engine.types import Sample


class PhotoCrops(Dataset[Sample]):
    """Random 32x32 crops of scikit-image's cat photo (HR, 0..255) with x2 bicubic LR versions."""

    def __init__(self, count: int) -> None:
        self.photo = torch.from_numpy(np.ascontiguousarray(data.chelsea())).permute(2, 0, 1)
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> Sample:
        rng = np.random.default_rng(index)
        top, left = rng.integers(0, 200), rng.integers(0, 300)
        hr = self.photo[:, top : top + 32, left : left + 32].float()
        return {"lr": downsample(hr[None], 2)[0], "hr": hr}


generator = SRResNet(2, 3, 3, 2, SRResNetParams(n_channels=16, n_blocks=2))
module = GANModule(
    generator=generator,
    discriminator=PatchGANDiscriminator(2, 3, PatchGANParams(base_channels=8, n_layers=2)),
    content_terms=[LossTerm("l1", L1Loss(), weight=1.0)],
    adversarial_term=AdversarialTerm("bce", BCEAdversarialLoss(), weight=1e-3),
    normaliser=MinMaxNormaliser(3, MinMaxParams(minimum=[0.0], maximum=[255.0])),
    config=TrainingConfig(pretrain_steps=1, seed=0),  # the spec's Training section, as a class
    data_range=255.0,
)
trainer = pl.Trainer(
    max_epochs=1,
    accelerator="cpu",
    logger=False,
    enable_checkpointing=False,
    enable_progress_bar=False,
    enable_model_summary=False,
)
trainer.fit(
    module, DataLoader(PhotoCrops(4), batch_size=2), DataLoader(PhotoCrops(2), batch_size=2)
)
psnr = float(trainer.callback_metrics["val/psnr"])
print(
    f"{module.generator_steps} generator steps, {module.discriminator_steps} discriminator step(s)"
)
print(
    f"val/psnr {psnr:.2f} dB (bicubic {float(trainer.callback_metrics['val/psnr_bicubic']):.2f} dB)"
)

# The same class in 3D: [B, C, D, H, W] volumes, every axis upscaled.
volume_net = SRResNet(
    spatial_dims=3, in_channels=1, out_channels=1, scale=2, params=SRResNetParams.tiny()
)
with torch.no_grad():
    print("3D:", tuple(volume_net(torch.rand(1, 1, 8, 8, 8)).shape))
