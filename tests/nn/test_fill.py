"""Classical hole filling: known pixels kept exactly; smooth data reconstructed in 2D and 3D."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gan_engine.nn.fill import biharmonic_fill, composite, harmonic_fill

SETTINGS = settings(deadline=None, max_examples=6, derandomize=True, database=None)


def ramp(shape: tuple[int, ...], channels: int) -> torch.Tensor:
    """A linear function of the coordinates: harmonic and biharmonic, so both fills reproduce it."""
    axes = torch.meshgrid(*(torch.linspace(0, 1, n) for n in shape), indexing="ij")
    value = sum((k + 1) * axis for k, axis in enumerate(axes))
    return torch.stack([value * (c + 1) for c in range(channels)])[None]


@SETTINGS
@given(dims=st.sampled_from([2, 3]), seed=st.integers(0, 1000), channels=st.integers(1, 4))
def test_harmonic_fill_keeps_known_pixels_exactly(dims: int, seed: int, channels: int) -> None:
    shape = (12, 14) if dims == 2 else (6, 7, 8)
    generator = torch.Generator().manual_seed(seed)
    image = torch.rand(2, channels, *shape, generator=generator)
    holes = (torch.rand(2, 1, *shape, generator=generator) > 0.6).float()
    filled = harmonic_fill(image, holes)
    known = holes.expand_as(image) == 0
    assert torch.equal(filled[known], image[known])
    assert torch.isfinite(filled).all()
    assert filled.min() >= image.min() - 1e-6  # maximum principle
    assert filled.max() <= image.max() + 1e-6


@pytest.mark.parametrize("shape", [(32, 32), (12, 16, 16)])
def test_harmonic_fill_reconstructs_a_ramp(shape: tuple[int, ...]) -> None:
    image = ramp(shape, 2)
    holes = torch.zeros(1, 1, *shape)
    holes[(..., *(slice(n // 4, 3 * n // 4) for n in shape))] = 1.0
    filled = harmonic_fill(image, holes)
    assert (filled - image).abs().max() < 0.02 * float(image.max())


def test_biharmonic_fill_reconstructs_a_ramp_and_refuses_volumes() -> None:
    image = ramp((24, 24), 3)
    holes = torch.zeros(1, 1, 24, 24)
    holes[..., 6:18, 8:20] = 1.0
    filled = biharmonic_fill(image, holes)
    torch.testing.assert_close(filled, image, atol=1e-4, rtol=0)
    with pytest.raises(ValueError, match="harmonic_fill"):
        biharmonic_fill(torch.rand(1, 1, 4, 4, 4), torch.zeros(1, 1, 4, 4, 4))


def test_mismatched_holes_are_refused() -> None:
    with pytest.raises(ValueError, match="holes must be"):
        harmonic_fill(torch.rand(1, 2, 8, 8), torch.zeros(1, 1, 8, 9))
    with pytest.raises(ValueError, match="1 or 2 channels"):
        harmonic_fill(torch.rand(1, 2, 8, 8), torch.zeros(1, 3, 8, 8))


def test_composite_takes_the_output_only_inside_holes() -> None:
    image, output = torch.zeros(1, 2, 4, 4), torch.ones(1, 2, 4, 4)
    holes = torch.zeros(1, 1, 4, 4)
    holes[..., 1, 2] = 1.0
    assert composite(image, output, holes).sum() == 2.0
