"""Every registered loss, in every spatial dim it declares, on drawn shapes and band counts.

The table below declares, per loss, which properties hold; a newly registered loss fails
``test_every_loss_has_a_row`` until it gets a row, and is then tested like the others.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import attrs
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import Tensor

from gan_engine.protocols import AdversarialLoss, Loss, LossContext
from gan_engine.registry import LOSSES, Entry, LossFactory
from gan_engine.types import Conditioning, SpatialDims
from tests.text.open_clip_fixture import write_tiny_open_clip


@attrs.frozen
class Row:
    """What holds for one loss.

    kind: ``content`` (reads sr/hr), ``adversarial`` (reads logits), ``features`` (reads D features),
        ``holes`` (reads sr/hr and the hole mask), ``hole_adversarial`` (logits and the hole mask),
        ``text`` (reads the prompts' embeddings and texts).
    zero_on_identical: ``loss(x, x) == 0`` (up to float error).
    non_negative: ``loss >= 0`` always.
    rgb: the loss runs a 3-band backbone (band options are drawn for other band counts).
    heavy: runs a CNN; fewer examples are drawn.
    reads_sr: the value depends on ``sr`` (a gradient reaches it).
    """

    kind: str = "content"
    zero_on_identical: bool = True
    non_negative: bool = True
    rgb: bool = False
    heavy: bool = False
    reads_sr: bool = True


ADVERSARIAL = Row(kind="adversarial", zero_on_identical=False)

TABLE: dict[str, Row] = {
    "l1": Row(),
    "l2": Row(),
    "huber": Row(),
    "charbonnier": Row(),
    "ssim": Row(),
    "tv": Row(zero_on_identical=False),  # a prior on sr alone: 0 only for constant images
    "gradient": Row(),
    "sam": Row(),  # about eps on identical inputs
    "histogram": Row(),
    "vgg": Row(rgb=True, heavy=True),
    "lpips": Row(rgb=True, heavy=True),
    "feature": Row(),
    "feature_matching": Row(kind="features"),
    "bce": ADVERSARIAL,
    "relativistic": ADVERSARIAL,
    "hinge": Row(kind="adversarial", zero_on_identical=False, non_negative=False),
    "lsgan": ADVERSARIAL,
    "masked_l1": Row(kind="holes"),
    "mask_target": Row(kind="hole_adversarial", zero_on_identical=False),
    # shapes the encoder's embeddings after the target images: no gradient to sr
    "embedding_alignment": Row(kind="text", zero_on_identical=False, reads_sr=False),
    "clip_alignment": Row(kind="text", zero_on_identical=False, rgb=True, heavy=True),
}

_CLIP_FOLDER: list[Path] = []


def tiny_clip_folder() -> Path:
    """A tiny random open_clip checkpoint, written once per session (skips without open_clip)."""
    if not _CLIP_FOLDER:
        folder = Path(tempfile.mkdtemp(prefix="tiny_clip_"))
        _CLIP_FOLDER.append(write_tiny_open_clip(folder))
    return _CLIP_FOLDER[0]


ENTRIES = LOSSES.entries()
SIZE_RANGES: dict[int, tuple[int, int]] = {2: (8, 20), 3: (4, 10)}


def _cases(heavy: bool) -> list[object]:
    return [
        pytest.param(entry, dims, id=f"{entry.name}-{dims}d")
        for entry in ENTRIES
        if entry.name in TABLE and TABLE[entry.name].heavy == heavy
        for dims in sorted(entry.capabilities.spatial_dims)
    ]


def test_registry_loads_without_broken_modules() -> None:
    assert LOSSES.broken() == {}


def test_every_loss_has_a_row() -> None:
    missing = sorted(entry.name for entry in ENTRIES if entry.name not in TABLE)
    assert not missing, f"add a row to TABLE for {missing}"
    assert set(TABLE) <= {entry.name for entry in ENTRIES}


def _small_params(entry: Entry[LossFactory], channels: int, random_channels: bool) -> object:
    cls = entry.params_cls
    if entry.name == "clip_alignment":  # RGB only: other band counts name 3 bands
        chosen = None if channels == 3 else [0, channels - 1, 1 % channels]
        return cls(path=str(tiny_clip_folder()), channels=chosen)
    params = cls.tiny() if hasattr(cls, "tiny") else cls()
    if not TABLE[entry.name].rgb or channels in (1, 3):
        return params
    if random_channels and channels >= 3:
        return attrs.evolve(params, random_channels=True)
    return attrs.evolve(params, channels=[0, channels - 1, 1 % channels])


_BUILT: dict[tuple[str, object], Loss] = {}


def build(entry: Entry[LossFactory], channels: int, random_channels: bool) -> Loss:
    """One loss per entry and band option (perceptual backbones are slow to build)."""
    params = _small_params(entry, channels, random_channels)
    key = (entry.name, repr(params))
    if key not in _BUILT:
        torch.manual_seed(0)
        loss = entry.factory(params)
        assert isinstance(loss, Loss)
        assert isinstance(loss, torch.nn.Module)
        assert loss.name == entry.name
        _BUILT[key] = loss
    return _BUILT[key]


def _logits(x: Tensor) -> Tensor:
    """Stand-in patch logits ``[B, 1, *S]`` that depend on x."""
    return x.mean(dim=1, keepdim=True) * 3.0


def _features(x: Tensor) -> list[Tensor]:
    return [x * 2.0, x.mean(dim=1, keepdim=True).square()]


def _holes(x: Tensor) -> Tensor:
    """Stand-in holes ``[B, 1, *S]``: the first half along the last axis is missing."""
    holes = torch.zeros(x.shape[0], 1, *x.shape[2:])
    holes[..., : max(1, x.shape[-1] // 2)] = 1.0
    return holes


def context_for(kind: str, sr: Tensor, hr: Tensor, mask: Tensor | None) -> LossContext:
    if kind == "holes":
        return LossContext(mask=mask, target_holes=_holes(sr))
    if kind == "hole_adversarial":
        return LossContext(
            fake_logits=_logits(sr), real_logits=_logits(hr), mask=mask, target_holes=_holes(sr)
        )
    if kind == "adversarial":
        return LossContext(fake_logits=_logits(sr), real_logits=_logits(hr), mask=mask)
    if kind == "features":
        return LossContext(fake_features=_features(sr), real_features=_features(hr), mask=mask)
    if kind == "text":
        batch = sr.shape[0]
        embedding = torch.randn(batch, 4, generator=torch.Generator().manual_seed(batch))
        prompts = [{"prompt": f"prompt {index}"} for index in range(batch)]
        cond = Conditioning(embedding=embedding.requires_grad_(True))
        return LossContext(mask=mask, cond=cond, metadata=prompts)
    return LossContext(mask=mask)


def check_loss(entry: Entry[LossFactory], dims: SpatialDims, data: st.DataObject) -> None:
    row = TABLE[entry.name]
    low, high = SIZE_RANGES[dims]
    least = entry.capabilities.min_input_size
    low, high = max(low, least), max(high, least)
    if row.heavy:
        high = low  # the backbone dominates the cost; the shape logic is shared with light losses
    spatial = tuple(data.draw(st.integers(low, high), label=f"size{axis}") for axis in range(dims))
    batch = data.draw(st.integers(1, 1 if row.heavy else 2), label="batch")
    channels = data.draw(st.integers(1, 5), label="channels")
    random_channels = data.draw(st.booleans(), label="random_channels")
    use_mask = data.draw(st.booleans(), label="mask")
    seed = data.draw(st.integers(0, 2**16), label="seed")

    generator = torch.Generator().manual_seed(seed)
    shape = (batch, channels, *spatial)
    hr = torch.rand(shape, generator=generator) * 2 - 1
    sr = (hr + 0.5 * torch.randn(shape, generator=generator)).requires_grad_(True)
    mask = None
    if use_mask:
        mask = (torch.rand((batch, 1, *spatial), generator=generator) > 0.2).float()
    loss = build(entry, channels, random_channels)

    value = loss(sr, hr, context_for(row.kind, sr, hr, mask))
    assert value.ndim == 0, f"{entry.name}: expected a 0-dim tensor, got shape {tuple(value.shape)}"
    assert torch.isfinite(value), f"{entry.name}: {value}"
    if row.non_negative:
        assert value >= -1e-6
    value.backward()
    if row.reads_sr:
        assert sr.grad is not None, f"{entry.name}: no gradient reached sr"
        assert torch.isfinite(sr.grad).all()
        if mask is None:
            assert sr.grad.abs().sum() > 0, f"{entry.name}: the gradient on sr is zero"
    else:
        assert sr.grad is None, f"{entry.name}: declared not to read sr, yet sr has a gradient"

    if row.zero_on_identical:
        same = hr.clone().requires_grad_(True)
        identical = loss(same, hr, context_for(row.kind, same, hr, mask))
        gap = float(identical.detach())
        assert abs(gap) < 1e-5, f"{entry.name}: {gap} on identical inputs"

    if row.kind in ("adversarial", "hole_adversarial"):
        assert isinstance(loss, AdversarialLoss)
        real = _logits(hr).requires_grad_(True)
        fake = _logits(sr.detach()).requires_grad_(True)
        if row.kind == "hole_adversarial":
            d_value = loss.discriminator_loss(real, fake, _holes(sr))  # type: ignore[call-arg]
        else:
            d_value = loss.discriminator_loss(real, fake)
        assert d_value.ndim == 0
        assert torch.isfinite(d_value)
        assert d_value >= 0
        d_value.backward()
        assert real.grad is not None
        assert fake.grad is not None
    else:
        assert not isinstance(loss, AdversarialLoss)


@pytest.mark.parametrize(("entry", "dims"), _cases(heavy=False))
@settings(max_examples=10)
@given(data=st.data())
def test_loss_properties(entry: Entry[LossFactory], dims: SpatialDims, data: st.DataObject) -> None:
    check_loss(entry, dims, data)


@pytest.mark.parametrize(("entry", "dims"), _cases(heavy=True))
@settings(max_examples=3)
@given(data=st.data())
def test_perceptual_loss_properties(
    entry: Entry[LossFactory], dims: SpatialDims, data: st.DataObject
) -> None:
    check_loss(entry, dims, data)
