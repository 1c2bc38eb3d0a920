"""Models with an unbounded receptive field: a warning, blending by default, and no seams."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import Tensor, nn

from gan_engine.inference.errors import UnboundedReceptiveFieldWarning
from gan_engine.inference.grid import plan_axis
from gan_engine.inference.predictor import PredictOptions, Predictor
from gan_engine.inference.receptive import DEFAULT_OVERLAP
from gan_engine.inference.tiler import TilingConfig, tiled_forward
from gan_engine.normalisers.scale import IdentityNormaliser
from tests.inference.models import ConvStack, tiny_srresnet


class GlobalContext(nn.Module):
    """A conv stack plus the input's spatial mean: its receptive field is the whole input."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.local = ConvStack(2, 2, 2, depth=2).eval()

    def forward(self, x: Tensor) -> Tensor:
        mean = x.mean(dim=(2, 3), keepdim=True)
        result: Tensor = self.local(x) + 2.0 * mean
        return result


def _seam_jumps(error: Tensor, cuts: list[int]) -> float:
    """Largest mean jump of the tiling error across the given output rows (axis 0)."""
    return max((error[:, cut] - error[:, cut - 1]).abs().mean().item() for cut in cuts)


def test_an_unbounded_model_warns_and_blends_by_default() -> None:
    model = tiny_srresnet(2, 2, 2, block="rcab", reduction=2)
    assert model.params.receptive_field(2) is None
    with pytest.warns(UnboundedReceptiveFieldWarning, match="unbounded"):
        predictor = Predictor(model, IdentityNormaliser(2))
    assert predictor.tiling.mode == "blend"
    assert predictor.tiling.overlap == DEFAULT_OVERLAP


def test_blending_hides_the_seams_centre_stitching_shows() -> None:
    model = GlobalContext()
    ramp = torch.linspace(-2.0, 2.0, 96)[:, None].expand(96, 64)
    x = torch.rand(2, 96, 64, generator=torch.Generator().manual_seed(0)) + ramp

    def run(batch: Tensor) -> Tensor:
        with torch.no_grad():
            result: Tensor = model(batch)
        return result

    untiled = run(x[None])[0]
    errors = {}
    for mode in ("centre", "blend"):
        config = TilingConfig(
            tile=(40, 64),
            overlap=12,
            mode=mode,
            guard=model.local.radius,  # type: ignore[arg-type]
        )
        errors[mode] = tiled_forward(run, x, 2, config) - untiled
    cuts = [2 * cut for cut in plan_axis(96, 40, 12).cuts[1:-1]]
    centre, blend = _seam_jumps(errors["centre"], cuts), _seam_jumps(errors["blend"], cuts)
    assert centre > 0.1  # each tile adds its own mean: neighbours disagree by a step
    assert blend < 0.1 * centre  # the same disagreement, faded in over the ramp
    # everywhere, the blended error changes as gently as at the cuts: no seam stands out
    steps = (errors["blend"][:, 1:] - errors["blend"][:, :-1]).abs().mean(dim=(0, 2))
    assert steps.max() < 0.1 * centre
    assert errors["blend"].abs().max() <= errors["centre"].abs().max() + 1e-6


def test_blended_predictions_of_a_bounded_model_have_no_visible_seams() -> None:
    """Blending a bounded model without a guard: errors stay far below the signal everywhere."""
    model = tiny_srresnet(2, 2, 2, seed=4)
    predictor = Predictor(
        model, IdentityNormaliser(2), options=PredictOptions(tile=24, mode="blend", overlap=8)
    )
    x = np.random.default_rng(0).random((2, 64, 64), dtype=np.float32)
    with torch.no_grad():
        untiled = model(torch.from_numpy(x)[None])[0].numpy()
    error = np.abs(predictor.predict(x) - untiled)
    assert error.max() < 0.05 * np.abs(untiled).max()
