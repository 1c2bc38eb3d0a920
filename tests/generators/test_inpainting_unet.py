"""The inpainting U-Net: the composite equals the input wherever the mask is 0, exactly, in 2D and 3D."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gan_engine.generators.inpainting_unet import InpaintingUNet, InpaintingUNetParams
from gan_engine.nn.fill import harmonic_fill
from gan_engine.nn.masked_conv import MASKED_CONV_KINDS
from gan_engine.registry import GENERATORS
from gan_engine.types import Conditioning
from tests.receptive_support import measured_radius

SETTINGS = settings(deadline=None, max_examples=12, derandomize=True, database=None)


@SETTINGS
@given(
    dims=st.sampled_from([2, 3]),
    conv=st.sampled_from(MASKED_CONV_KINDS),
    ffc_blocks=st.integers(0, 1),
    per_band=st.booleans(),
    prefill=st.sampled_from(["zero", "harmonic"]),
    channels=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_composite_equals_the_input_where_the_mask_is_zero(
    dims: int, conv: str, ffc_blocks: int, per_band: bool, prefill: str, channels: int, seed: int
) -> None:
    torch.manual_seed(seed)
    params = InpaintingUNetParams(
        n_channels=4,
        depth=2,
        conv=conv,
        ffc_blocks=ffc_blocks,
        per_band_holes=per_band,
        prefill=prefill,  # type: ignore[arg-type]
    )
    model = InpaintingUNet(dims, channels, channels, 1, params)  # type: ignore[arg-type]
    shape = (11, 13) if dims == 2 else (5, 6, 7)
    image = torch.rand(2, channels, *shape) * 1000 - 500  # sensor units: no range assumed
    mask_channels = channels if per_band else 1
    holes = (torch.rand(2, mask_channels, *shape) > 0.6).float()
    out = model(image, Conditioning(holes=holes))
    known = holes.expand_as(image) == 0
    assert out.shape == image.shape
    assert torch.equal(out[known], image[known])
    assert not torch.equal(out[~known], image[~known])


def test_hole_content_does_not_leak_into_the_output() -> None:
    torch.manual_seed(0)
    model = InpaintingUNet(2, 3, 3, 1, InpaintingUNetParams(n_channels=4, depth=2, ffc_blocks=1))
    image = torch.rand(1, 3, 16, 16)
    holes = torch.zeros(1, 1, 16, 16)
    holes[..., 4:10, 5:12] = 1.0
    altered = image.clone()
    altered[..., 4:10, 5:12] = 99.0  # whatever lies under the holes is never seen
    cond = Conditioning(holes=holes)
    assert torch.equal(model(image, cond), model(altered, cond))


def test_without_composite_every_pixel_is_generated() -> None:
    torch.manual_seed(0)
    model = InpaintingUNet(2, 2, 3, 1, InpaintingUNetParams(n_channels=4, depth=1, composite=False))
    out = model(torch.rand(1, 2, 8, 8), Conditioning(holes=torch.zeros(1, 1, 8, 8)))
    assert out.shape == (1, 3, 8, 8)


def test_declared_receptive_field_bounds_the_measured_one() -> None:
    params = InpaintingUNetParams(n_channels=2, depth=2, conv="plain", composite=False)
    torch.manual_seed(0)
    model = InpaintingUNet(2, 1, 1, 1, params).double()
    holes = torch.zeros(1, 1, 48, 48, dtype=torch.float64)
    measured = measured_radius(
        lambda x: model(x, Conditioning(holes=holes)), (1, 1, 48, 48), period=4
    )
    declared = params.receptive_field()
    assert declared is not None
    assert measured <= declared
    assert InpaintingUNetParams(ffc_blocks=1).receptive_field() is None


def test_registered_with_mask_conditioning_at_scale_one() -> None:
    caps = GENERATORS.get("inpainting_unet").capabilities
    assert caps.conditioning == frozenset({"mask"})
    assert caps.scales == frozenset({1})


@pytest.mark.parametrize(
    ("cond", "message"),
    [
        (None, "needs the hole mask"),
        (Conditioning(), "needs the hole mask"),
        (Conditioning(holes=torch.zeros(1, 1, 8, 9)), r"must be \[B, 1 or C, \*S\]"),
        (Conditioning(holes=torch.zeros(1, 2, 8, 8)), "1 or 3 channels"),
    ],
)
def test_missing_or_mismatched_holes_are_refused(cond: Conditioning | None, message: str) -> None:
    model = InpaintingUNet(2, 3, 3, 1, InpaintingUNetParams.tiny())
    with pytest.raises(ValueError, match=message):
        model(torch.rand(1, 3, 8, 8), cond)


def test_bad_construction_is_refused() -> None:
    with pytest.raises(ValueError, match="scale must be 1"):
        InpaintingUNet(2, 3, 3, 2)
    with pytest.raises(ValueError, match="composite and the harmonic prefill need"):
        InpaintingUNet(2, 3, 1, 1)


def test_harmonic_prefill_starts_from_the_classical_fill() -> None:
    torch.manual_seed(0)
    params = InpaintingUNetParams(n_channels=4, depth=1, prefill="harmonic")
    model = InpaintingUNet(2, 2, 2, 1, params)
    torch.nn.init.zeros_(model.head.weight)
    torch.nn.init.zeros_(model.head.bias)  # a zero correction: the output is the harmonic fill
    image = torch.rand(1, 2, 12, 12)
    holes = torch.zeros(1, 1, 12, 12)
    holes[..., 3:7, 4:9] = 1.0
    out = model(image, Conditioning(holes=holes))
    torch.testing.assert_close(out, harmonic_fill(image * (1 - holes), holes))
    assert InpaintingUNetParams(prefill="harmonic").receptive_field() is None
