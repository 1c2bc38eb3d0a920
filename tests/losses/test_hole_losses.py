"""Inpainting losses: known and missing pixels weighted as configured (gradient zero at weight 0),
and the mask as the discriminator's target on the logit grid."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gan_engine.errors import InvalidParamError
from gan_engine.losses.holes import MaskedL1Loss, MaskedL1Params, MaskTargetLoss, MaskTargetParams
from gan_engine.protocols import LossContext

SETTINGS = settings(deadline=None, max_examples=10, derandomize=True, database=None)


@SETTINGS
@given(
    dims=st.sampled_from([2, 3]),
    known=st.sampled_from([0.0, 0.5, 1.0, 10.0]),
    missing=st.sampled_from([0.0, 1.0, 3.0]),
    seed=st.integers(0, 2**16),
)
def test_masked_l1_gradient_is_zero_exactly_where_the_weight_is_zero(
    dims: int, known: float, missing: float, seed: int
) -> None:
    if known == 0 and missing == 0:
        return
    generator = torch.Generator().manual_seed(seed)
    shape = (2, 3, *([6] * dims))
    hr = torch.rand(shape, generator=generator)
    sr = (hr + torch.rand(shape, generator=generator) + 0.1).requires_grad_(True)  # no ties
    holes = (torch.rand(2, 1, *shape[2:], generator=generator) > 0.5).float()
    loss = MaskedL1Loss(MaskedL1Params(known_weight=known, missing_weight=missing))
    loss(sr, hr, LossContext(target_holes=holes)).backward()
    assert sr.grad is not None
    in_holes = holes.expand_as(sr) > 0.5
    assert (sr.grad[~in_holes] == 0).all() == (known == 0)
    assert (sr.grad[in_holes] == 0).all() == (missing == 0)


def test_masked_l1_value_and_nodata() -> None:
    sr, hr = torch.ones(1, 1, 2, 2), torch.zeros(1, 1, 2, 2)
    sr[..., 0, 0] = 5.0  # a hole, error 5; the three known pixels have error 1
    holes = torch.zeros(1, 1, 2, 2)
    holes[..., 0, 0] = 1.0
    loss = MaskedL1Loss(MaskedL1Params(known_weight=1.0, missing_weight=3.0))
    value = loss(sr, hr, LossContext(target_holes=holes))
    torch.testing.assert_close(value, torch.tensor((3 * 5.0 + 3 * 1.0) / 6.0))
    nodata = torch.ones(1, 1, 2, 2)
    nodata[..., 0, 1] = 0.0
    sr[..., 0, 1] = float("nan")  # nodata pixels do not reach the loss, NaN or not
    value = loss(sr, hr, LossContext(target_holes=holes, mask=nodata))
    torch.testing.assert_close(value, torch.tensor((3 * 5.0 + 2 * 1.0) / 5.0))


def test_masked_l1_needs_holes_and_some_weight() -> None:
    with pytest.raises(ValueError, match="target_holes"):
        MaskedL1Loss()(torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 2, 2), LossContext())
    context = LossContext(target_holes=torch.zeros(1, 1, 3, 2))
    with pytest.raises(ValueError, match="matching the output"):
        MaskedL1Loss()(torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 2, 2), context)
    with pytest.raises(InvalidParamError, match="both 0"):
        MaskedL1Params(known_weight=0.0, missing_weight=0.0)


def test_mask_target_discriminator_labels_known_cells_of_fakes_real() -> None:
    holes = torch.zeros(1, 1, 8, 8)
    holes[..., :4, :] = 1.0  # top half missing: top logit row over holes
    loss = MaskTargetLoss(MaskTargetParams())
    real = torch.full((1, 1, 2, 2), 10.0)
    perfect = torch.tensor([[[[-10.0, -10.0], [10.0, 10.0]]]])  # fake over holes, real elsewhere
    wrong = -perfect
    assert loss.discriminator_loss(real, perfect, holes) < 1e-3
    assert loss.discriminator_loss(real, wrong, holes) > 5.0
    ignoring = MaskTargetLoss(MaskTargetParams(known_as_real=False))
    # without known_as_real the known cells do not count at all
    assert ignoring.discriminator_loss(real, perfect, holes) < 1e-3
    assert torch.isclose(
        ignoring.discriminator_loss(real, perfect, holes),
        ignoring.discriminator_loss(real, torch.tensor([[[[-10.0, -10.0], [-10.0, 10.0]]]]), holes),
    )


@pytest.mark.parametrize("known_weight", [0.0, 0.5])
def test_mask_target_generator_counts_holes_and_known_cells_as_weighted(
    known_weight: float,
) -> None:
    holes = torch.zeros(1, 1, 4, 4, 4)
    holes[..., :2, :, :] = 1.0
    fake = torch.zeros(1, 1, 2, 2, 2, requires_grad=True)
    loss = MaskTargetLoss(MaskTargetParams(generator_known_weight=known_weight))
    context = LossContext(fake_logits=fake, target_holes=holes)
    loss(torch.zeros(1, 1, 4, 4, 4), torch.zeros(1, 1, 4, 4, 4), context).backward()
    assert fake.grad is not None
    assert (fake.grad[..., 0, :, :] < 0).all()  # over holes: raise the logits
    assert ((fake.grad[..., 1, :, :] != 0).all()) == (known_weight > 0)


def test_mask_target_pools_holes_to_the_logit_grid_by_default() -> None:
    loss = MaskTargetLoss()
    holes = torch.zeros(1, 3, 8, 8)
    holes[0, 2, 1, 6] = 1.0  # one missing pixel of one band, in the top-right cell of a 2x2 grid
    pooled = loss._on_grid(holes, torch.zeros(1, 1, 2, 2))
    assert pooled.tolist() == [[[[0.0, 1.0], [0.0, 0.0]]]]
    global_grid = loss._on_grid(holes, torch.zeros(1, 1))
    assert global_grid.tolist() == [[1.0]]
    with pytest.raises(ValueError, match="hole mask"):
        loss.discriminator_loss(torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 2, 2))
