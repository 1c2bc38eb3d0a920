"""Array sources and views: windows, regions, frames; intensity maps from stored values."""

from __future__ import annotations

import numpy as np
import pytest

from gan_engine.data.sources import FrameView, MemorySource, RegionView, frames, full_box, load
from gan_engine.data.transforms.intensity import (
    IntensityMap,
    MappedSource,
    fit_intensity,
    native_range,
    sample_values,
)
from gan_engine.errors import DataError
from tests.data.modality_files import ramp


def test_memory_source_reads_windows_as_copies() -> None:
    array = ramp((2, 4, 5, 6))
    source = MemorySource(array, "ramp")
    assert source.shape == (2, 4, 5, 6)
    window = source.read(((1, 3), (0, 2), (4, 6)))
    np.testing.assert_array_equal(window, array[:, 1:3, 0:2, 4:6])
    window[...] = -1
    assert array.min() >= 0
    assert load(source) is source
    with pytest.raises(ValueError, match="not inside ramp"):
        source.read(((0, 5), (0, 1), (0, 1)))


def test_region_and_frame_views_compose() -> None:
    array = ramp((1, 6, 4, 5))
    region = RegionView(MemorySource(array, "v"), ((2, 6), (1, 4), (0, 5)), "held out")
    assert region.shape == (1, 4, 3, 5)
    assert region.label == "v (held out)"
    np.testing.assert_array_equal(region.read(((1, 2), (0, 3), (2, 4))), array[:, 3:4, 1:4, 2:4])
    views = frames(region, "page")
    assert len(views) == 4
    assert views[0].shape == (1, 3, 5)
    assert views[2].label == "v (held out) (page 2)"
    np.testing.assert_array_equal(views[2].read(full_box(views[2].shape)), array[:, 4, 1:4, :])
    with pytest.raises(ValueError):
        FrameView(MemorySource(ramp((1, 4, 5)), "2d"), 0)


def test_native_ranges() -> None:
    assert native_range(np.dtype(np.uint8)) == 255.0
    assert native_range(np.dtype(">u2")) == 65535.0
    assert native_range(np.dtype(np.int16)) is None
    assert native_range(np.dtype(np.float32)) is None


def test_raw_keeps_values_and_clips() -> None:
    source = MemorySource(np.array([[0, 7, 255]], dtype=np.uint8), "u8")
    intensity = fit_intensity(source, "raw", data_range=None)
    assert intensity.data_range == 255.0
    assert intensity.is_identity
    mapped = MappedSource(source, intensity).read(((0, 3),))
    assert mapped.dtype == np.float32
    np.testing.assert_array_equal(mapped, [[0.0, 7.0, 255.0]])
    clipped = IntensityMap(low=(0.0,), high=(4.0,), data_range=4.0).apply(np.array([[-3, 2, 9]]))
    np.testing.assert_array_equal(clipped, [[0.0, 2.0, 4.0]])


def test_raw_needs_a_range_for_signed_or_float_data() -> None:
    source = MemorySource(np.zeros((1, 4), dtype=np.int16), "scan.nii")
    with pytest.raises(DataError, match=r"scan\.nii stores int16 values.*data_range"):
        fit_intensity(source, "raw", data_range=None)
    assert fit_intensity(source, "raw", data_range=1000.0).data_range == 1000.0


def test_percentile_maps_each_channel_to_zero_one() -> None:
    values = np.stack([np.linspace(-100, 100, 1001), np.linspace(0, 5000, 1001)])
    source = MemorySource(values.astype(np.float32)[:, None, :], "two channels")
    intensity = fit_intensity(source, "percentile", data_range=None, percentiles=(0.0, 100.0))
    assert intensity.data_range == 1.0
    assert intensity.low == pytest.approx((-100.0, 0.0))
    assert intensity.high == pytest.approx((100.0, 5000.0))
    mapped = MappedSource(source, intensity).read(((0, 1), (0, 1001)))
    np.testing.assert_allclose(mapped[:, 0, [0, 500, 1000]], [[0, 0.5, 1], [0, 0.5, 1]], atol=1e-6)


def test_percentile_clips_outliers() -> None:
    values = np.concatenate([np.arange(1000.0), [1e6]])[None]
    intensity = fit_intensity(MemorySource(values, "spike"), "percentile", data_range=2.0)
    mapped = intensity.apply(values)
    assert mapped.max() == 2.0
    assert mapped.min() == 0.0
    assert intensity.high[0] < 1000.0


def test_percentile_rejects_constant_and_nan_data() -> None:
    with pytest.raises(DataError, match=r"flat.*constant"):
        fit_intensity(MemorySource(np.ones((1, 50)), "flat"), "percentile", data_range=None)
    with pytest.raises(DataError, match=r"holes.*NaN"):
        fit_intensity(
            MemorySource(np.array([[1.0, np.nan, 3.0]]), "holes"), "percentile", data_range=None
        )


def test_window_is_fixed_for_every_file() -> None:
    source = MemorySource(np.array([[-1024, 0, 1000, 3000]], dtype=np.int16), "ct")
    intensity = fit_intensity(source, "window", data_range=None, window=(-1000.0, 1000.0))
    np.testing.assert_allclose(intensity.apply(source.array), [[0.0, 0.5, 1.0, 1.0]])


def test_sample_values_strides_big_sources() -> None:
    source = MemorySource(
        np.arange(3 * 400 * 5000, dtype=np.float32).reshape(1, 3, 400, 5000), "big"
    )
    (values,) = sample_values(source)
    assert 1_000_000 <= values.size <= 2_100_000
    assert values.min() == 0.0
