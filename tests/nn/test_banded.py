"""``banded`` computes an upsampling function band by band, exactly when the halo covers its reach."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import Tensor

from gan_engine.nn.banded import band_rows, banded
from gan_engine.nn.layers import channels_last_format
from gan_engine.nn.pixel_shuffle import pixel_shuffle

SETTINGS = settings(deadline=None, max_examples=20, derandomize=True, database=None)


def upsampler(dims: int, channels: int, scale: int, kernel: int) -> Callable[[Tensor], Tensor]:
    """Conv → pixel shuffle → conv, both "same"-padded: reach ``k // 2`` plus ``k // 2 / scale``."""
    generator = torch.Generator().manual_seed(kernel * 10 + scale)
    shape = (kernel,) * dims
    first = torch.randn(channels * scale**dims, channels, *shape, generator=generator)
    second = torch.randn(2, channels, *shape, generator=generator)
    convolve = F.conv2d if dims == 2 else F.conv3d

    def run(x: Tensor) -> Tensor:
        fine = pixel_shuffle(convolve(x, first.to(x.dtype), padding=kernel // 2), scale)
        return convolve(fine, second.to(x.dtype), padding=kernel // 2)

    return run


def reach(scale: int, kernel: int) -> int:
    return kernel // 2 + -(-(kernel // 2) // scale)


@SETTINGS
@given(
    dims=st.sampled_from([2, 3]),
    scale=st.integers(1, 3),
    kernel=st.sampled_from([1, 3, 5]),
    length=st.integers(1, 40),
    batch=st.integers(1, 2),
    band_pixels=st.integers(1, 64),
    extra_halo=st.integers(0, 2),
)
def test_equals_the_unbanded_call_when_the_halo_covers_the_reach(
    dims: int,
    scale: int,
    kernel: int,
    length: int,
    batch: int,
    band_pixels: int,
    extra_halo: int,
) -> None:
    fn = upsampler(dims, 2, scale, kernel)
    x = torch.randn(batch, 2, length, *([3] * (dims - 1)), dtype=torch.float64)
    halo = reach(scale, kernel) + extra_halo
    out = banded(fn, x, scale=scale, halo=halo, band_pixels=band_pixels)
    torch.testing.assert_close(out, fn(x), rtol=1e-12, atol=1e-12)


def test_bands_are_really_used_and_a_short_halo_shows_at_their_edges() -> None:
    fn = upsampler(2, 2, 2, 3)
    calls: list[int] = []

    def counted(x: Tensor) -> Tensor:
        calls.append(x.shape[2])
        return fn(x)

    x = torch.randn(1, 2, 50, 4, dtype=torch.float64)
    exact = banded(counted, x, scale=2, halo=2, band_pixels=1)
    # at least 16 rows (8 halos) per band, evened out: 4 bands of 13, 13, 13, 11 rows, each read
    # with 2 rows of context on its inner sides
    assert calls == [15, 17, 17, 13]
    torch.testing.assert_close(exact, fn(x), rtol=1e-12, atol=1e-12)
    short = banded(fn, x, scale=2, halo=1, band_pixels=1)
    assert not torch.allclose(short, fn(x))


def test_one_band_is_the_plain_call_and_rows_follow_the_pixel_budget() -> None:
    x = torch.randn(2, 3, 30, 8)
    assert band_rows(x, halo=1, band_pixels=160) == 10  # 160 / (2 * 8)
    assert band_rows(x, halo=3, band_pixels=160) == 24  # at least 8 halos
    calls: list[int] = []

    def identity(band: Tensor) -> Tensor:
        calls.append(band.shape[2])
        return band

    assert banded(identity, x, scale=1, halo=3, band_pixels=160) is x
    assert calls == [30]


@pytest.mark.parametrize("dims", [2, 3])
def test_the_output_keeps_the_channels_last_layout(dims: int) -> None:
    layout = channels_last_format(dims)  # type: ignore[arg-type]
    fn = upsampler(dims, 2, 2, 3)

    def channels_last(x: Tensor) -> Tensor:
        return fn(x).contiguous(memory_format=layout)

    x = torch.randn(1, 2, 40, *([3] * (dims - 1)))
    out = banded(channels_last, x, scale=2, halo=2, band_pixels=1)
    assert out.is_contiguous(memory_format=layout)
    torch.testing.assert_close(out, fn(x))


def test_bad_arguments_and_a_function_of_another_scale_are_clear_errors() -> None:
    x = torch.randn(1, 1, 40, 2)
    with pytest.raises(ValueError, match="scale >= 1 and halo >= 0"):
        banded(lambda band: band, x, scale=0, halo=1)
    with pytest.raises(ValueError, match="turned 9 rows into 18, not 3x"):
        banded(upsampler(2, 1, 2, 1), x, scale=3, halo=1, band_pixels=1)
