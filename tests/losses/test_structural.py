"""Known values of SSIM, total variation and gradient losses, and of the N-D gradient helpers."""

from __future__ import annotations

import pytest
import torch

from gan_engine.errors import InvalidParamError
from gan_engine.losses.structural import (
    GradientLoss,
    GradientParams,
    SSIMLoss,
    SSIMParams,
    TotalVariationLoss,
)
from gan_engine.nn.gradients import forward_differences, pairwise_min, sobel_gradients
from gan_engine.protocols import LossContext

NONE = LossContext()


def ramp(shape: tuple[int, ...], axis: int, slope: float) -> torch.Tensor:
    """``[1, 1, *shape]`` with values ``slope · index`` along spatial ``axis``."""
    index = torch.arange(shape[axis], dtype=torch.float32) * slope
    view = [1] * len(shape)
    view[axis] = shape[axis]
    return index.reshape(1, 1, *view).expand(1, 1, *shape).clone()


@pytest.mark.parametrize("spatial", [(16, 16), (12, 12, 12)])
def test_ssim_of_constant_images(spatial: tuple[int, ...]) -> None:
    # Constant images: variances and covariance vanish, SSIM = (2ab + C1) / (a² + b² + C1).
    a, b, data_range = 0.5, -0.5, 2.0
    c1 = (0.01 * data_range) ** 2
    expected = 1.0 - (2 * a * b + c1) / (a * a + b * b + c1)
    sr, hr = torch.full((1, 2, *spatial), a), torch.full((1, 2, *spatial), b)
    assert float(SSIMLoss()(sr, hr, NONE)) == pytest.approx(expected, rel=1e-5)
    assert float(SSIMLoss()(sr, sr, NONE)) == pytest.approx(0.0, abs=1e-6)


def test_ssim_data_range_sets_the_constants() -> None:
    sr, hr = torch.full((1, 1, 11, 11), 0.2), torch.full((1, 1, 11, 11), 0.1)
    c1 = (0.01 * 1.0) ** 2
    expected = 1.0 - (2 * 0.02 + c1) / (0.04 + 0.01 + c1)
    loss = SSIMLoss(SSIMParams(data_range=1.0))
    assert float(loss(sr, hr, NONE)) == pytest.approx(expected, rel=1e-5)


def test_ssim_mask_drops_windows_touching_nodata() -> None:
    hr = torch.rand(1, 1, 24, 24, generator=torch.Generator().manual_seed(0))
    sr = hr.clone()
    sr[..., 8, 8] = 5.0  # nodata value
    mask = torch.ones_like(hr)
    mask[..., 8, 8] = 0.0
    assert float(SSIMLoss()(sr, hr, NONE)) > 1e-2
    assert float(SSIMLoss()(sr, hr, LossContext(mask=mask))) == pytest.approx(0.0, abs=1e-6)


def test_ssim_needs_a_window_per_axis() -> None:
    with pytest.raises(ValueError, match="window_size=11"):
        SSIMLoss()(torch.zeros(1, 1, 10, 16), torch.zeros(1, 1, 10, 16), NONE)
    with pytest.raises(InvalidParamError, match="window_size"):
        SSIMParams(window_size=4)


@pytest.mark.parametrize(
    ("shape", "axis", "slope"), [((4, 5), 1, 2.0), ((4, 5), 0, -1.5), ((3, 4, 5), 0, 3.0)]
)
def test_tv_of_a_ramp_is_its_slope(shape: tuple[int, ...], axis: int, slope: float) -> None:
    sr = ramp(shape, axis, slope)
    assert float(TotalVariationLoss()(sr, torch.zeros_like(sr), NONE)) == pytest.approx(abs(slope))
    flat = torch.ones_like(sr)
    assert float(TotalVariationLoss()(flat, sr, NONE)) == 0.0


def test_tv_sums_axes_and_respects_the_mask() -> None:
    sr = ramp((4, 4), 0, 1.0) + ramp((4, 4), 1, 2.0)
    assert float(TotalVariationLoss()(sr, sr, NONE)) == pytest.approx(3.0)
    spike = torch.zeros(1, 1, 3, 3)
    spike[..., 1, 1] = 9.0
    mask = torch.ones_like(spike)
    mask[..., 1, 1] = 0.0
    assert float(TotalVariationLoss()(spike, spike, LossContext(mask=mask))) == 0.0


@pytest.mark.parametrize("mode", ["diff", "sobel"])
@pytest.mark.parametrize(("shape", "axis"), [((8, 9), 1), ((6, 7, 8), 2)])
def test_gradient_loss_of_a_ramp(mode: str, shape: tuple[int, ...], axis: int) -> None:
    slope = 2.0
    sr = ramp(shape, axis, slope)
    loss = GradientLoss(GradientParams(mode=mode))  # type: ignore[arg-type]
    # |slope| along one axis, 0 along the others: the mean over axes is slope / dims.
    assert float(loss(sr, torch.zeros_like(sr), NONE)) == pytest.approx(slope / len(shape))
    # invariant to a constant offset
    assert float(loss(sr, sr + 5.0, NONE)) == pytest.approx(0.0, abs=1e-6)


def test_gradient_mask() -> None:
    sr = torch.zeros(1, 1, 5, 5)
    sr[..., 0, 0] = 4.0
    mask = torch.ones_like(sr)
    mask[..., 0, 0] = 0.0
    for mode in ("diff", "sobel"):
        loss = GradientLoss(GradientParams(mode=mode))  # type: ignore[arg-type]
        assert float(loss(sr, torch.zeros_like(sr), NONE)) > 0
        assert float(loss(sr, torch.zeros_like(sr), LossContext(mask=mask))) == 0.0


def test_gradient_mode_validation() -> None:
    with pytest.raises(InvalidParamError, match="mode"):
        GradientParams(mode="prewitt")  # type: ignore[arg-type]


def test_sobel_is_the_2d_sobel_operator_over_8() -> None:
    x = torch.rand(1, 1, 5, 6, generator=torch.Generator().manual_seed(1))
    sobel_w = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 8
    expected_w = torch.nn.functional.conv2d(x, sobel_w.reshape(1, 1, 3, 3))
    expected_h = torch.nn.functional.conv2d(x, sobel_w.T.reshape(1, 1, 3, 3))
    gradient_h, gradient_w = sobel_gradients(x)
    torch.testing.assert_close(gradient_w, expected_w)
    torch.testing.assert_close(gradient_h, expected_h)


def test_forward_differences_and_pairwise_min_align() -> None:
    x = torch.arange(24.0).reshape(1, 1, 2, 3, 4)
    differences = forward_differences(x)
    pairs = pairwise_min(x)
    assert [tuple(d.shape) for d in differences] == [
        (1, 1, 1, 3, 4),
        (1, 1, 2, 2, 4),
        (1, 1, 2, 3, 3),
    ]
    assert [tuple(p.shape) for p in pairs] == [tuple(d.shape) for d in differences]
    assert [float(d.mean()) for d in differences] == [12.0, 4.0, 1.0]
