"""Blur kernels: normalised, centred, symmetric, the right shape in 2D and 3D."""

from __future__ import annotations

import math

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gan_engine.degradations.blur import KERNEL_TYPES, BlurParams, RandomBlur
from gan_engine.degradations.kernels import (
    filter_per_sample,
    pad_kernel,
    shaped_kernel,
    sinc_kernel,
)

SETTINGS = settings(max_examples=20, deadline=None, derandomize=True)


@SETTINGS
@given(
    dims=st.sampled_from([2, 3]),
    shape=st.sampled_from(["gaussian", "generalized", "plateau"]),
    half=st.integers(1, 5),
    sigma=st.floats(0.2, 4.0),
    beta=st.floats(0.5, 4.0),
    rotation=st.floats(-math.pi, math.pi),
)
def test_shaped_kernels_sum_to_one_and_are_point_symmetric(
    dims: int, shape: str, half: int, sigma: float, beta: float, rotation: float
) -> None:
    sigmas = [sigma, sigma * 1.7, sigma * 0.6][:dims]
    kernel = shaped_kernel(shape, 2 * half + 1, sigmas, rotation, beta)  # type: ignore[arg-type]
    assert kernel.shape == (2 * half + 1,) * dims
    assert math.isclose(float(kernel.sum()), 1.0, abs_tol=1e-9)
    assert (kernel >= 0).all()
    assert torch.allclose(kernel, kernel.flip(list(range(dims))))
    centre = kernel[(half,) * dims]
    assert centre == kernel.max()


@SETTINGS
@given(dims=st.sampled_from([2, 3]), half=st.integers(1, 6), cutoff=st.floats(0.3, math.pi))
def test_sinc_kernels_sum_to_one_and_ring(dims: int, half: int, cutoff: float) -> None:
    kernel = sinc_kernel(2 * half + 1, cutoff, dims)
    assert math.isclose(float(kernel.sum()), 1.0, abs_tol=1e-9)
    assert torch.allclose(kernel, kernel.flip(list(range(dims))))


def test_low_sinc_cutoff_has_negative_lobes() -> None:
    assert sinc_kernel(21, math.pi / 4, 2).min() < 0  # ringing, as real resamplers
    assert sinc_kernel(15, math.pi / 4, 3).min() < 0


def test_anisotropic_3d_kernel_has_per_axis_widths() -> None:
    kernel = shaped_kernel("gaussian", 9, [3.0, 1.0, 0.5])
    depth, height, width = (kernel.sum(dim=tuple(a for a in range(3) if a != i)) for i in range(3))
    spread = [float((p * (torch.arange(9) - 4.0) ** 2).sum()) for p in (depth, height, width)]
    assert spread[0] > spread[1] > spread[2]


def test_random_blur_kernels_are_normalised_for_every_type() -> None:
    for name in KERNEL_TYPES:
        for dims in (2, 3):
            params = BlurParams(kernels={name: 1.0}, kernel_size=(3, 9), sinc_probability=0.0)
            kernels = RandomBlur(dims, 1, params).kernels(torch.arange(4))  # type: ignore[arg-type]
            sums = kernels.flatten(1).sum(1)
            assert torch.allclose(sums, torch.ones(4, dtype=torch.float64))


def test_depth_sigma_range_sets_the_slice_axis() -> None:
    params = BlurParams(kernels={"iso": 1.0}, sigma=(0.3, 0.3), sigma_depth=(3.0, 3.0),
                        kernel_size=(9, 9), sinc_probability=0.0)  # fmt: skip
    kernel = RandomBlur(3, 1, params).kernels(torch.tensor([0]))[0]
    assert kernel.sum(dim=(1, 2))[4] < kernel.sum(dim=(0, 2))[4]  # flatter along depth


def test_filtering_keeps_constants_and_sizes() -> None:
    x = torch.full((2, 3, 12, 12), 0.25)
    kernels = torch.stack([pad_kernel(shaped_kernel("gaussian", 5, [1.0, 2.0], 0.3), 9),
                           shaped_kernel("plateau", 9, [1.0, 1.0], 0.0, 1.5)])  # fmt: skip
    out = filter_per_sample(x, kernels)
    assert out.shape == x.shape
    torch.testing.assert_close(out, x)


def test_delta_kernel_is_identity() -> None:
    x = torch.rand(2, 13, 6, 6, 6)
    kernel = shaped_kernel("gaussian", 5, [1e-3] * 3)
    out = filter_per_sample(x, torch.stack([kernel, kernel]))
    torch.testing.assert_close(out, x)


def test_fft_and_direct_filtering_agree() -> None:
    from gan_engine.degradations import kernels as module

    for dims, size in ((2, 20), (3, 10)):
        x = torch.rand(2, 3, *([size] * dims))
        k = torch.stack([shaped_kernel("gaussian", 9, [1.5] * dims),
                         pad_kernel(sinc_kernel(7, 1.0, dims), 9)])  # fmt: skip
        threshold = module.FFT_FROM_TAPS
        try:
            module.FFT_FROM_TAPS = 1
            fft = filter_per_sample(x, k)
            module.FFT_FROM_TAPS = 10**9
            direct = filter_per_sample(x, k)
        finally:
            module.FFT_FROM_TAPS = threshold
        torch.testing.assert_close(fft, direct, atol=1e-5, rtol=0)
