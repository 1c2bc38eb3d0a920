"""Lightning's precision spellings are normalised; anything else is refused with the accepted list."""

from __future__ import annotations

import pytest

from gan_engine.hardware.precision import normalise_precision
from gan_engine.training.config import TrainingConfig


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (32, "32"),
        ("32", "32"),
        ("32-true", "32"),
        (16, "16-mixed"),
        ("16", "16-mixed"),
        ("16-mixed", "16-mixed"),
        ("bf16", "bf16-mixed"),
        ("BF16-Mixed", "bf16-mixed"),
        ("bf16-mixed", "bf16-mixed"),
        ("auto", "auto"),
    ],
)
def test_spellings_are_normalised(value: object, expected: str) -> None:
    assert normalise_precision(value) == expected
    assert TrainingConfig(precision=value).precision == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "shown"),
    [(64, "64"), (True, "true"), (None, "null"), ("16-true", "'16-true'"), (32.0, "32.0")],
)
def test_other_values_are_refused(value: object, shown: str) -> None:
    with pytest.raises(ValueError, match="expected one of 'auto', '32'") as error:
        normalise_precision(value)
    assert str(error.value).endswith(f"got {shown}")


def test_auto_is_the_default() -> None:
    config = TrainingConfig()
    assert (config.precision, config.channels_last, config.hardware_probe) == ("auto", "auto", True)
    with pytest.raises(ValueError, match="channels_last"):
        TrainingConfig(channels_last="yes")  # type: ignore[arg-type]
