"""Outputs of every registered generator on a tiny seeded input, in every form it runs in.

The fixture ``tests/fixtures/generators/reference_outputs.pt`` holds these outputs as computed before
the inference forms moved behind :func:`~gan_engine.nn.inference_forms.prepare_inference`;
``test_reference_outputs.py`` recomputes them, so a refactoring of the model code that changes any
number fails. Regenerate (only when a change of numerics is intended) with
``python -m tests.generators.reference_outputs``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import attrs
import torch
from torch import Tensor, nn

from gan_engine.nn import banded
from gan_engine.nn.inference_forms import prepare_inference
from gan_engine.registry import GENERATORS, Entry, GeneratorFactory
from gan_engine.types import Conditioning, SpatialDims
from tests.contracts.strategies import conditioning_for, min_input_size, small_params

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "generators" / "reference_outputs.pt"
SEED = 1234
CHANNELS = 2
SIZES: dict[int, int] = {2: 6, 3: 4}
FORMS = ("train", "eval", "inference", "bands")
"""``train``: training mode with autograd; ``eval``: evaluation mode with autograd (the plain
forward); ``inference``: prepared for inference, under ``torch.inference_mode``; ``bands``: the same
with bands of one row, so that the banded reconstruction runs even on a tiny input."""


def _inputs(
    entry: Entry[GeneratorFactory], model: nn.Module, dims: SpatialDims
) -> tuple[Tensor, Conditioning | None]:
    size = max(SIZES[dims], min_input_size(entry))
    generator = torch.Generator().manual_seed(SEED)
    lr = torch.rand(1, CHANNELS, *(size,) * dims, generator=generator)
    cond = conditioning_for(model, 1, SEED)
    if "mask" in entry.capabilities.conditioning:
        holes = (torch.rand(1, 1, *(size,) * dims, generator=generator) < 0.5).float()
        cond = Conditioning(holes=holes) if cond is None else attrs.evolve(cond, holes=holes)
    return lr, cond


def _run(
    entry: Entry[GeneratorFactory],
    dims: SpatialDims,
    form: str,
    prepare: Callable[[nn.Module], object],
) -> Tensor:
    scale = min(entry.capabilities.scales or {2})
    torch.manual_seed(SEED)
    model = entry.factory(dims, CHANNELS, CHANNELS, scale, small_params(entry))
    assert isinstance(model, nn.Module)
    lr, cond = _inputs(entry, model, dims)
    if form == "train":
        return model.train()(lr, cond).detach()
    model.eval()
    if form == "eval":
        return model(lr, cond).detach()
    prepare(model)
    band_pixels = 1 if form == "bands" else banded.BAND_PIXELS
    fraction = 1 if form == "bands" else banded.HALO_FRACTION
    with (
        mock.patch.multiple(banded, BAND_PIXELS=band_pixels, HALO_FRACTION=fraction),
        torch.inference_mode(),
    ):
        output: Tensor = model(lr, cond)
    return output.clone()


def cases() -> Iterator[tuple[str, Entry[GeneratorFactory], SpatialDims, str]]:
    """``(key, entry, dims, form)`` for every registered generator, declared dim and form."""
    for entry in GENERATORS.entries():
        for dims in sorted(entry.capabilities.spatial_dims):
            for form in FORMS:
                yield f"{entry.name}/{dims}d/{form}", entry, dims, form


def compute(
    entry: Entry[GeneratorFactory],
    dims: SpatialDims,
    form: str,
    prepare: Callable[[nn.Module], object] = prepare_inference,
) -> Tensor:
    """The output of ``entry``'s tiny model in ``dims`` and ``form``."""
    return _run(entry, dims, form, prepare)


def main(prepare: Callable[[nn.Module], object] = prepare_inference) -> None:
    """Write the fixture."""
    outputs = {key: compute(entry, dims, form, prepare) for key, entry, dims, form in cases()}
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    torch.save(outputs, FIXTURE)


if __name__ == "__main__":
    main()
