"""Embed GAN-Engine: load a spec, swap the generator for your own, train two steps, print the result.

Run from the repository root: ``python examples/embed.py [RUN_DIR]``.
"""

import sys
import tempfile
from pathlib import Path

from dependency_injector import providers

from containers.application import ApplicationContainer
from containers.spec.loader import load_spec
from gan_engine.generators.srresnet import SRResNet, SRResNetParams

TINY = [  # tiny crops and models so this runs in seconds; drop them to train the real quickstart
    "Data.params.patch_size=32",
    "Data.params.val_patch_size=64",
    "Data.params.samples_per_epoch=4",
    "Data.batch_size=2",
    "Data.val_batch_size=2",
    "Discriminator.params={base_channels: 8, n_blocks: 2, head_channels: 16}",
    "Training.pretrain_steps=1",
    "Trainer.max_epochs=1",
    "Trainer.limit_val_batches=1",
    "Trainer.enable_progress_bar=false",
    "Trainer.enable_model_summary=false",
]

run_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="embed-"))
spec = load_spec("specs/quickstart.yaml", TINY)  # validated: a mistake raises SpecError
app = ApplicationContainer(spec=spec, run_dir=run_dir)

# Any provider can be overridden; everything that depends on it receives the override.
generator = SRResNet(2, 3, 3, 4, SRResNetParams(n_channels=8, n_blocks=1))
app.components.generator.override(providers.Object(generator))

module, trainer = app.training.module(), app.training.trainer()
trainer.fit(module, datamodule=app.data.datamodule())
psnr = float(trainer.callback_metrics["val/psnr"])
print(f"{module.generator_steps} generator steps, val/psnr {psnr:.2f} dB, run in {run_dir}")
