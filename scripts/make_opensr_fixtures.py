"""Make the opensr-srgan reference fixtures under tests/fixtures/opensr/ with the REAL package.

Run it in a separate environment that has ``opensr-srgan==0.5.1`` (CI does not install it):

    python -m venv /work/opensr-venv   # plus torch, pytorch-lightning, omegaconf, kornia, matplotlib
    /work/opensr-venv/bin/pip install --no-deps --ignore-requires-python opensr-srgan==0.5.1
    /work/opensr-venv/bin/python scripts/make_opensr_fixtures.py

For each generator type it builds opensr-srgan's ``SRGAN_model`` (eval mode) from a small config
with random weights (batch-norm statistics and PReLU slopes randomised too, so that every tensor
matters), saves the config (``<name>.yaml``), a Lightning-style checkpoint (``<name>.ckpt``:
``state_dict`` with ``generator.*`` keys, ``ema_state`` when EMA is on) and ``<name>.io.pt``:
fixed normalised inputs ``lr``, the generator's outputs ``sr`` (from the EMA weights when EMA is
on) and, for the stochastic generator, the latent ``noise`` used. ``normalisers.pt`` holds each
opensr normalisation applied to fixed reflectances and its inverse applied to fixed outputs.
This script imports only opensr-srgan and torch: never GAN-Engine.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import torch
import yaml
from omegaconf import OmegaConf
from opensr_srgan.data.utils.normalizer import Normalizer
from opensr_srgan.model.SRGAN import SRGAN_model
from torch import nn

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "opensr"

BASE: dict[str, Any] = {
    "Data": {
        "train_batch_size": 2,
        "val_batch_size": 2,
        "num_workers": 0,
        "prefetch_factor": 2,
        "dataset_type": "ExampleDataset",
        "normalization": "normalise_10k",
    },
    "Model": {"in_bands": 4, "continue_training": False, "load_checkpoint": False},
    "Training": {
        "device": "cpu",
        "gpus": [0],
        "max_epochs": 3,
        "val_check_interval": 1.0,
        "limit_val_batches": 4,
        "pretrain_g_only": True,
        "g_pretrain_steps": 100,
        "adv_loss_ramp_steps": 50,
        "label_smoothing": True,
        "EMA": {"enabled": False, "decay": 0.999, "update_after_step": 0, "use_num_updates": True},
        "Losses": {
            "adv_loss_type": "bce",
            "relativistic_average_d": False,
            "adv_loss_beta": 0.001,
            "adv_loss_schedule": "cosine",
            "r1_gamma": 0.0,
            "l1_weight": 1.0,
            "sam_weight": 0.05,
            "perceptual_weight": 0.0,
            "perceptual_metric": "vgg",
            "tv_weight": 0.0,
            "max_val": 1.0,
            "ssim_win": 11,
        },
    },
    "Generator": {},
    "Discriminator": {
        "model_type": "standard",
        "n_blocks": 2,
        "use_spectral_norm": False,
        "base_channels": 32,
        "linear_size": 64,
    },
    "Optimizers": {
        "optim_g_lr": 1e-4,
        "optim_d_lr": 1e-6,
        "gradient_clip_val": 1.0,
        "betas": [0.0, 0.99],
        "eps": 1e-7,
        "weight_decay_g": 0.0,
        "weight_decay_d": 0.0,
    },
    "Schedulers": {
        "g_warmup_steps": 10,
        "g_warmup_type": "cosine",
        "metric_g": "val_metrics/l1",
        "metric_d": "validation/DISC_adversarial_loss",
        "patience_g": 10,
        "patience_d": 10,
        "factor_g": 0.5,
        "factor_d": 0.5,
    },
    "Logging": {
        "num_val_images": 1,
        "wandb": {"enabled": False, "entity": "opensr", "project": "fixtures"},
    },
}

CASES: dict[str, dict[str, Any]] = {
    "srresnet_standard": {
        "Generator": {
            "model_type": "SRResNet",
            "block_type": "standard",
            "large_kernel_size": 7,
            "small_kernel_size": 3,
            "n_channels": 16,
            "n_blocks": 2,
            "scaling_factor": 4,
        },
        "Data": {"normalization": "normalise_10k_signed"},
    },
    "flexible_res": {
        "Generator": {
            "model_type": "SRResNet",
            "block_type": "res",
            "large_kernel_size": 9,
            "small_kernel_size": 3,
            "n_channels": 16,
            "n_blocks": 2,
            "scaling_factor": 2,
        },
    },
    "flexible_rcab": {
        "Generator": {
            # legacy spelling: the block type as the model type
            "model_type": "rcab",
            "large_kernel_size": 9,
            "small_kernel_size": 3,
            "n_channels": 32,
            "n_blocks": 2,
            "scaling_factor": 4,
        },
        "Training": {"EMA": {"enabled": True}},
    },
    "flexible_rrdb": {
        "Generator": {
            "model_type": "SRResNet",
            "block_type": "rrdb",
            "large_kernel_size": 9,
            "small_kernel_size": 3,
            "n_channels": 16,
            "n_blocks": 1,
            "scaling_factor": 2,
        },
        "Data": {"normalization": "zero_one"},
    },
    "flexible_lka": {
        "Generator": {
            "model_type": "SRResNet",
            "block_type": "lka",
            "large_kernel_size": 9,
            "small_kernel_size": 3,
            "n_channels": 16,
            "n_blocks": 2,
            "scaling_factor": 8,
        },
    },
    "esrgan": {
        "Generator": {
            "model_type": "esrgan",
            "n_channels": 16,
            "n_blocks": 2,
            "growth_channels": 8,
            "res_scale": 0.2,
            "scaling_factor": 4,
        },
        "Discriminator": {"model_type": "patchgan", "n_blocks": 2},
    },
    "stochastic": {
        "Generator": {
            "model_type": "stochastic_gan",
            "large_kernel_size": 9,
            "small_kernel_size": 3,
            "n_channels": 16,
            "n_blocks": 2,
            "scaling_factor": 2,
            "noise_dim": 8,
            "res_scale": 0.2,
        },
        "Data": {"normalization": "zero_one_signed"},
    },
}

NORMALISATIONS = (
    "normalise_10k",
    "normalise_10k_signed",
    "zero_one",
    "zero_one_signed",
    "identity",
    "sen2_stretch",
)


def merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``extra`` merged in, recursively."""
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@torch.no_grad()
def randomise(module: nn.Module, generator: torch.Generator) -> None:
    """Give batch norms random statistics and affines, PReLUs random slopes."""
    for layer in module.modules():
        if isinstance(layer, nn.BatchNorm2d):
            n = layer.num_features
            layer.running_mean.copy_(0.1 * torch.randn(n, generator=generator))
            layer.running_var.copy_(0.5 + torch.rand(n, generator=generator))
            layer.weight.copy_(1 + 0.2 * torch.randn(n, generator=generator))
            layer.bias.copy_(0.1 * torch.randn(n, generator=generator))
        elif isinstance(layer, nn.PReLU):
            layer.weight.copy_(0.1 + 0.3 * torch.rand(layer.weight.shape, generator=generator))


def make_case(name: str, extra: dict[str, Any], seed: int) -> None:
    """Write ``<name>.yaml``, ``<name>.ckpt`` and ``<name>.io.pt``."""
    config = merged(BASE, extra)
    config_path = OUT / f"{name}.yaml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    torch.manual_seed(seed)
    model = SRGAN_model(config=str(config_path), mode="eval")
    rng = torch.Generator().manual_seed(seed)
    randomise(model.generator, rng)
    model.eval()
    bands = int(config["Model"]["in_bands"])
    lr = torch.rand(2, bands, 12, 10, generator=rng)
    if config["Data"]["normalization"] in ("normalise_10k_signed", "zero_one_signed"):
        lr = 2 * lr - 1
    checkpoint: dict[str, Any] = {
        "epoch": 0,
        "global_step": 0,
        "pytorch-lightning_version": "2.5.0",
        "state_dict": {key: value.clone() for key, value in model.state_dict().items()},
    }
    if model.ema is not None:
        # shadow weights that differ from the live ones, so the test sees which are used
        for shadow in model.ema.shadow_params.values():
            shadow.add_(0.01 * torch.randn(shadow.shape, generator=rng))
        checkpoint["ema_state"] = model.ema.state_dict()
        model.ema.apply_to(model.generator)
    io: dict[str, torch.Tensor] = {"lr": lr}
    if name == "stochastic":
        noise = torch.randn(2, int(config["Generator"]["noise_dim"]), generator=rng)
        io["noise"] = noise
        io["sr"] = model.generator(lr, noise)
    else:
        io["sr"] = model.generator(lr)
    torch.save(checkpoint, OUT / f"{name}.ckpt")
    torch.save(io, OUT / f"{name}.io.pt")
    print(f"{name}: sr {tuple(io['sr'].shape)}, {len(checkpoint['state_dict'])} tensors")


def make_normalisers() -> None:
    """Write ``normalisers.pt``: each method's forward on reflectances and inverse on outputs."""
    rng = torch.Generator().manual_seed(7)
    raw = torch.rand(2, 4, 6, 6, generator=rng) * 12000 - 500
    unit = torch.rand(2, 4, 6, 6, generator=rng) * 1.4 - 0.2
    signed = torch.rand(2, 4, 6, 6, generator=rng) * 2.4 - 1.2
    out: dict[str, torch.Tensor] = {"raw": raw, "unit": unit, "signed": signed}
    for method in NORMALISATIONS:
        normaliser = Normalizer(OmegaConf.create({"Data": {"normalization": method}}))
        assert normaliser.method == method, normaliser.method
        source = raw if "10k" in method else unit
        out[f"{method}.normalise"] = normaliser.normalize(source)
        out[f"{method}.denormalise"] = normaliser.denormalize(
            signed if "signed" in method else unit
        )
    torch.save(out, OUT / "normalisers.pt")


def main() -> None:
    """Write every fixture."""
    OUT.mkdir(parents=True, exist_ok=True)
    for seed, (name, extra) in enumerate(CASES.items()):
        make_case(name, extra, seed)
    make_normalisers()


if __name__ == "__main__":
    main()
