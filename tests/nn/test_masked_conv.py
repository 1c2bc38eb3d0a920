"""Masked convolutions: shapes and masks in 2D/3D; partial convolutions ignore what is missing."""

from __future__ import annotations

import pytest
import torch

from gan_engine.nn.masked_conv import MASKED_CONV_KINDS, MaskedConv, MaskedConvKind


@pytest.mark.parametrize("kind", MASKED_CONV_KINDS)
@pytest.mark.parametrize(("dims", "shape"), [(2, (9, 12)), (3, (5, 6, 7))])
@pytest.mark.parametrize("stride", [1, 2])
def test_shapes_and_mask(
    kind: MaskedConvKind, dims: int, shape: tuple[int, ...], stride: int
) -> None:
    torch.manual_seed(0)
    layer = MaskedConv(dims, 3, 5, stride=stride, kind=kind)  # type: ignore[arg-type]
    x = torch.rand(2, 3, *shape)
    valid = (torch.rand(2, 1, *shape) > 0.5).float()
    y, new_valid = layer(x, valid)
    expected = tuple(-(-n // stride) for n in shape)
    assert y.shape == (2, 5, *expected)
    assert new_valid.shape == (2, 1, *expected)
    assert set(new_valid.unique().tolist()) <= {0.0, 1.0}
    assert torch.isfinite(y).all()


def test_partial_conv_ignores_missing_pixels_and_grows_the_known_region() -> None:
    torch.manual_seed(0)
    layer = MaskedConv(2, 2, 4, kind="partial", activation="none")
    x = torch.rand(1, 2, 10, 10)
    valid = torch.ones(1, 1, 10, 10)
    valid[..., 3:8, 3:8] = 0.0
    changed = x.clone()
    changed[..., 3:8, 3:8] = torch.rand(1, 2, 5, 5) * 100  # only missing pixels differ
    first, first_valid = layer(x, valid)
    second, _ = layer(changed, valid)
    assert torch.equal(first, second)
    # a 3x3 window sees a known pixel one pixel into the hole, not at its centre
    assert first_valid[0, 0, 3, 3] == 1.0
    assert first_valid[0, 0, 5, 5] == 0.0
    assert (first[..., 5, 5] == 0).all()  # nothing seen: no output (not even the bias)


def test_partial_conv_on_a_full_mask_is_the_plain_convolution() -> None:
    torch.manual_seed(0)
    layer = MaskedConv(3, 2, 3, kind="partial", activation="none")
    x = torch.rand(1, 2, 4, 5, 6)
    out, _ = layer(x, torch.ones(1, 1, 4, 5, 6))
    # inside, every window is full: scale 1; at the zero-padded border the rescaling differs
    torch.testing.assert_close(out[..., 1:-1, 1:-1, 1:-1], layer.conv(x)[..., 1:-1, 1:-1, 1:-1])


def test_gated_conv_gates_each_output() -> None:
    torch.manual_seed(0)
    layer = MaskedConv(2, 2, 3, kind="gated", activation="none")
    x = torch.rand(1, 2, 6, 6)
    out, _ = layer(x, torch.ones(1, 1, 6, 6))
    expected = layer.conv(x) * torch.sigmoid(layer.gate(x))  # type: ignore[misc]
    torch.testing.assert_close(out, expected)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        MaskedConv(2, 1, 1, kind="soft")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="odd"):
        MaskedConv(2, 1, 1, kernel_size=4)
