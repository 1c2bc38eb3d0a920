"""The prediction memory budget: sizes parsed, defaults a share of what the device has free."""

from __future__ import annotations

import pytest

from gan_engine.inference.budget import (
    CPU_FRACTION,
    available_memory,
    format_bytes,
    parse_memory,
    resolve_budget,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2GiB", 2 << 30),
        ("2gib", 2 << 30),
        ("2G", 2 << 30),
        ("512MiB", 512 << 20),
        ("512 MiB", 512 << 20),
        ("1.5GB", 1_500_000_000),
        ("0.5GiB", 1 << 29),
        ("64kB", 64_000),
        ("1TiB", 1 << 40),
        ("1073741824", 1 << 30),
        ("100B", 100),
    ],
)
def test_sizes_parse_to_bytes(text: str, expected: int) -> None:
    assert parse_memory(text) == expected


@pytest.mark.parametrize("text", ["", "GiB", "2 GiBs", "two GiB", "-1GiB", "1e9", "2PiB"])
def test_bad_sizes_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match=r"expected a memory size such as 2GiB, 512MiB or 1\.5GB"):
        parse_memory(text)


def test_a_zero_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="must be positive, got '0MiB'"):
        parse_memory("0MiB")


def test_bytes_read_back_in_binary_units() -> None:
    assert format_bytes(3 << 29) == "1.5 GiB"
    assert format_bytes(640 << 20) == "640.0 MiB"
    assert format_bytes(12) == "12 B"


def test_the_default_cpu_budget_is_a_share_of_the_available_ram() -> None:
    free = available_memory("cpu")
    assert free > 0
    budget = resolve_budget(None, "cpu")
    # MemAvailable moves between the two reads; a few percent of slack
    assert budget.bytes == pytest.approx(CPU_FRACTION * free, rel=0.05)
    assert budget.reason.startswith("50% of ")
    assert budget.reason.endswith("available RAM")


def test_a_given_budget_is_kept() -> None:
    budget = resolve_budget(2 << 30, "cpu")
    assert budget.bytes == 2 << 30
    assert "--max-memory" in budget.reason
