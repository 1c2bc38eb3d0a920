"""Every registered generator gives, in every form, the outputs recorded before the model code moved.

The fixture (``reference_outputs.py`` wrote it) was computed with the inference forms decided on each
forward from the autograd state; the forms now come from :func:`prepare_inference`. Unchanged
numerics mean equal outputs in training mode, in the plain eval forward and in the inference forms
(whole and in bands). A generator registered after the fixture was written is reported, not skipped.
"""

from __future__ import annotations

import pytest
import torch

from tests.generators.reference_outputs import FIXTURE, cases, compute

REFERENCE: dict[str, torch.Tensor] = torch.load(FIXTURE)
CASES = [pytest.param(entry, dims, form, id=key) for key, entry, dims, form in cases()]


def test_the_fixture_is_small() -> None:
    assert FIXTURE.stat().st_size < 200_000


@pytest.mark.parametrize(("entry", "dims", "form"), CASES)
def test_output_equals_the_recorded_one(entry: object, dims: int, form: str) -> None:
    key = f"{entry.name}/{dims}d/{form}"  # type: ignore[attr-defined]
    if key not in REFERENCE:
        pytest.fail(
            f"{key} has no recorded output: run python -m tests.generators.reference_outputs"
        )
    output = compute(entry, dims, form)  # type: ignore[arg-type]
    torch.testing.assert_close(output, REFERENCE[key], rtol=1e-5, atol=1e-6)
