"""Super-resolving arrays and files of any size with a trained generator and its normaliser.

Inputs are in sensor units; each tile is filled where nodata/NaN, normalised, run through the generator,
denormalised, stitched, given nodata back where the input was invalid and converted to the input's dtype
(uint8 photos come back as uint8, clipped and rounded; float stays float). Files stream window by window
(see :mod:`gan_engine.inference.tiler`), so memory does not grow with the scene.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Protocol, Self, TypeAlias, TypeVar

import attrs
import numpy as np
import numpy.typing as npt
import torch
from torch import Tensor

from gan_engine.hardware.choice import resolve
from gan_engine.hardware.facts import DeviceType, detect_facts
from gan_engine.hardware.precision import LayoutSetting, PrecisionSetting, normalise_precision
from gan_engine.inference.budget import resolve_budget
from gan_engine.inference.compiled import CompiledInference
from gan_engine.inference.errors import InputError
from gan_engine.inference.grid import TileGrid
from gan_engine.inference.heap import reused_heap
from gan_engine.inference.holes import HoleSource
from gan_engine.inference.model import HoleFillingModel, SensorUnitsModel
from gan_engine.inference.nodata import DEFAULT_FILL_RADIUS
from gan_engine.inference.pixels import BandWriter, TileReader
from gan_engine.inference.receptive import (
    generator_receptive_field,
    input_multiple,
    resolve_overlap,
)
from gan_engine.inference.tile_memory import TileChoice, choose_tile
from gan_engine.inference.tiler import Tiler, TilingConfig
from gan_engine.io.atomic import check_target
from gan_engine.io.base import MemoryLimit, OutputLayout, RasterSink, RasterSource
from gan_engine.io.formats import open_input
from gan_engine.io.memory import ArraySink, ArraySource
from gan_engine.nn.inference_forms import prepare_inference
from gan_engine.protocols import Generator, Normaliser

ModeChoice: TypeAlias = Literal["auto", "centre", "blend"]


class Progress(Protocol):
    """A progress bar: advanced by tiles done."""

    def update(self, n: int) -> object:
        """Advance by ``n`` tiles."""
        ...

    def close(self) -> object:
        """Finish the bar."""
        ...


ProgressFactory: TypeAlias = Callable[[str, int], Progress]
"""Makes a progress bar from a description (the file) and a total (its tiles)."""


@attrs.frozen(kw_only=True)
class PredictOptions:
    """How a :class:`Predictor` tiles (sizes in input pixels).

    Attributes:
        tile: tile edge along every spatial axis, context included (default: the largest tile
            whose measured memory fits ``max_memory``, at most a core of 1024 pixels in 2D, 64 in
            3D, plus the overlap on each side; :mod:`gan_engine.inference.tile_memory`).
        overlap: context on each inner side of a tile's core; default: the model's receptive-field
            radius (exact), or 32 with a warning when it is unbounded.
        mode: ``centre`` (exact when ``overlap >= r``), ``blend`` (seam-free weighted mean) or
            ``auto``: ``centre`` when the receptive field is bounded and covered, else ``blend``.
        batch_size: tiles per forward pass (activation memory grows with it; default tiles already
            keep a CPU busy, batches help GPUs with small tiles).
        guard: blend only: pixels near inner tile edges given zero weight (``>= r`` is exact).
        fill_radius: nodata/NaN pixels are filled with the mean of valid pixels this close.
        channels_last: run the network in channels-last memory format (``True``/``False``), or
            ``auto`` (default): chosen from the device (:mod:`gan_engine.hardware`): on for CPUs
            with native bf16 and CUDA GPUs with tensor cores, off on AVX2 CPUs, where channels-last
            fp32 convolutions are about 3x slower (BENCHMARKS.md).
        precision: ``32``, ``bf16-mixed`` or ``16-mixed`` autocast, or ``auto`` (default): fp32
            unless bf16 is native (CPUs with AVX512_BF16/AMX, CUDA from compute capability 8.0),
            since the outputs are data; never fp16. Outputs are float32 either way.
        reuse_memory: keep memory freed between a tile's feature maps for its next ones (glibc;
            :mod:`gan_engine.inference.heap`): ~20 % faster CPU tiles, no memory held between
            tiles.
        compile: ``torch.compile`` the network with frozen weights (activations fused into the
            convolutions): 1.15–1.26× faster tiles of SRResNet on the benchmark CPU, after some
            seconds of compiling per tile shape; worth it for large rasters. Needs a C++ compiler
            on CPUs; without one the network runs uncompiled after a warning.
        max_memory: the memory budget in bytes (default: half the available RAM on a CPU, 80 % of
            the free memory on a GPU; :mod:`gan_engine.inference.budget`). The default tile is the
            largest whose forward pass and weights fit it (ignored when ``tile`` is given); outputs
            that cannot be written in parts (PNG, JPEG, BMP, WebP, GIF) are refused before any
            work when they would not fit in the RAM budget; every other format streams
            (:mod:`gan_engine.io.stream`).
    """

    tile: int | None = None
    overlap: int | None = None
    mode: ModeChoice = "auto"
    batch_size: int = 1
    guard: int = 0
    fill_radius: int = DEFAULT_FILL_RADIUS
    channels_last: LayoutSetting = "auto"
    reuse_memory: bool = True
    compile: bool = False
    precision: PrecisionSetting = attrs.field(default="auto", converter=normalise_precision)
    max_memory: int | None = None


_AUTOCAST = {"bf16-mixed": torch.bfloat16, "16-mixed": torch.float16}
_DEVICE_TYPES: tuple[DeviceType, ...] = ("cpu", "cuda", "mps")


def resolve_options(options: PredictOptions, device: str) -> PredictOptions:
    """``options`` with ``auto`` precision and layout resolved for ``device`` (``cpu``, ``cuda``, …).

    Explicit settings are kept; other device types resolve as a CPU would.
    """
    if options.precision != "auto" and options.channels_last != "auto":
        return options
    kind: DeviceType = next((known for known in _DEVICE_TYPES if known == device), "cpu")
    choice = resolve(
        detect_facts(kind), options.precision, options.channels_last, purpose="inference"
    )
    return attrs.evolve(options, precision=choice.precision, channels_last=choice.channels_last)


@attrs.frozen(kw_only=True)
class PredictionReport:
    """What :meth:`Predictor.predict_file` did."""

    source: Path
    target: Path
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    tiles: int
    seconds: float


ArrayT = TypeVar("ArrayT", npt.NDArray[Any], Tensor)


class Predictor:
    """Super-resolves arrays and files with a generator and its normaliser.

    Args:
        generator: the trained generator (an ``nn.Module``), e.g. the EMA weights of a checkpoint.
        normaliser: the normaliser it was trained with (its fitted statistics loaded).
        options: tiling choices.
        receptive_field: the generator's receptive-field radius in input pixels, ``None`` when
            unbounded; ``"auto"`` asks its parameters and the registry.
        device: where the network runs.
        fills_holes: the generator fills holes (inpainting, gap-filling): every tile goes with its
            hole mask, from a mask file or the input's nodata (:mod:`gan_engine.inference.holes`).
        budget_device: the device whose free memory sets the default budget (default:
            ``device``; a predictor built on the CPU and moved to a GPU names the GPU).

    Attributes:
        tile_choice: how the default tile was chosen (``None`` when ``options.tile`` was given).
    """

    def __init__(
        self,
        generator: Generator,
        normaliser: Normaliser,
        *,
        options: PredictOptions | None = None,
        receptive_field: int | Literal["auto"] | None = "auto",
        device: str | torch.device = "cpu",
        fills_holes: bool = False,
        budget_device: str | torch.device | None = None,
    ) -> None:
        options = resolve_options(options or PredictOptions(), torch.device(device).type)
        self.options = options
        self.fills_holes = fills_holes
        model_cls = HoleFillingModel if fills_holes else SensorUnitsModel
        self.model = model_cls(generator, normaliser).eval().to(device)
        if options.channels_last:
            fmt = torch.channels_last if generator.spatial_dims == 2 else torch.channels_last_3d
            self.model.to(memory_format=fmt)
        # eager: the layers' inference forms (in place, bands), chosen once here, before the tile
        # budget measures them; compiled: the plain forms, which the compiler fuses (it falls back
        # to the inference forms on failure)
        prepare_inference(self.model, enabled=not options.compile)
        self.spatial_dims = generator.spatial_dims
        self.in_channels = generator.in_channels
        self.out_channels = generator.out_channels
        self.scale = generator.scale
        self.receptive_field = (
            generator_receptive_field(generator) if receptive_field == "auto" else receptive_field
        )
        multiple = input_multiple(generator)
        overlap = resolve_overlap(self.receptive_field, options.overlap, multiple)
        self.tile_choice: TileChoice | None = None
        tile = options.tile
        if tile is None:
            budget_on = device if budget_device is None else budget_device
            self.tile_choice = choose_tile(
                self.model,
                in_channels=self.in_channels + fills_holes,
                spatial_dims=self.spatial_dims,
                overlap=overlap,
                budget=resolve_budget(options.max_memory, budget_on),
                multiple=multiple,
                batch_size=options.batch_size,
                reduce_overlap=options.overlap is None and options.mode != "centre",
            )
            tile, overlap = self.tile_choice.tile, self.tile_choice.overlap
        mode = options.mode
        if mode == "auto":
            exact = self.receptive_field is not None and overlap >= self.receptive_field
            mode = "centre" if exact else "blend"
        self.tiling = TilingConfig(
            tile=(tile,) * self.spatial_dims,
            overlap=overlap,
            mode=mode,
            batch_size=options.batch_size,
            multiple=multiple,
            guard=options.guard,
        )
        self._network: Callable[[Tensor], Tensor] = (
            CompiledInference(self.model) if options.compile else self.model
        )
        self._tiler = Tiler(self._forward, self.scale, self.tiling)

    @property
    def device(self) -> torch.device:
        """Where the network runs."""
        return next(iter(self.model.parameters()), torch.empty(0)).device

    def to(self, device: str | torch.device) -> Self:
        """Move the network to ``device``."""
        self.model.to(device)
        return self

    def _forward(self, batch: Tensor) -> Tensor:
        batch = batch.to(self.device)
        if self.options.channels_last:
            fmt = torch.channels_last if batch.ndim == 4 else torch.channels_last_3d
            batch = batch.contiguous(memory_format=fmt)
        # the network's maps only: output rows, allocated outside, keep glibc's mmap and leave
        # no holes in the heap (BENCHMARKS.md)
        heap = reused_heap() if self.options.reuse_memory else contextlib.nullcontext()
        dtype = _AUTOCAST.get(self.options.precision)
        autocast = (
            torch.autocast(batch.device.type, dtype=dtype)
            if dtype is not None
            else contextlib.nullcontext()
        )
        with heap, torch.inference_mode(), autocast:
            output = self._network(batch)
        return output.float().cpu()

    def predict(
        self, lr: ArrayT, *, nodata: float | None = None, holes: ArrayT | None = None
    ) -> ArrayT:
        """Super-resolve ``lr[C, *S]`` (sensor units) in memory, tile by tile.

        Returns ``[C_out, *(S * scale)]`` of the same type (NumPy or CPU tensor) and dtype; for 2D
        models a ``[C, F, H, W]`` input is super-resolved frame by frame. A hole-filling model
        takes ``holes`` ``[1, *S]`` (non-zero = missing), or fills the nodata/NaN pixels without.
        """
        array = lr.detach().cpu().numpy() if isinstance(lr, Tensor) else np.asarray(lr)
        source = ArraySource(array, nodata=nodata)
        mask = None
        if holes is not None:
            holes_array = (
                holes.detach().cpu().numpy() if isinstance(holes, Tensor) else np.asarray(holes)
            )
            mask = ArraySource(holes_array, nodata=None)
        layout = self.output_layout(source)
        sink = ArraySink(layout, lambda _array: None)
        self.run(source, sink, mask=mask)
        if isinstance(lr, Tensor):
            return torch.from_numpy(sink.array)
        return sink.array

    def predict_file(
        self,
        source_path: str | Path,
        target_path: str | Path,
        *,
        overwrite: bool = False,
        progress: ProgressFactory | None = None,
        mask_path: str | Path | None = None,
    ) -> PredictionReport:
        """Super-resolve one file into ``target_path`` (same format), atomically.

        A hole-filling model reads its holes from ``mask_path`` (same pixels and georeference as
        the input) or, without one, from the input's nodata.

        Raises:
            OutputError: the target is the input, or exists and ``overwrite`` is false.
            InputError: the input or mask is unreadable or does not fit the model or each other.
        """
        source_file, target = Path(source_path), Path(target_path)
        check_target(target, [source_file], overwrite=overwrite)
        started = time.perf_counter()
        source = open_input(source_file, self.spatial_dims)
        mask = None if mask_path is None else open_input(Path(mask_path), self.spatial_dims)
        try:
            layout = self.output_layout(source)
            tiles = self.count_tiles(source)
            bar = progress(source_file.name, tiles) if progress is not None else None
            sink = source.create_sink(target, layout)
            try:
                self.run(source, sink, bar, mask=mask)
                sink.commit()
            except BaseException:
                sink.abort()
                raise
            finally:
                if bar is not None:
                    bar.close()
        finally:
            source.close()
            if mask is not None:
                mask.close()
        return PredictionReport(
            source=source_file,
            target=target,
            input_shape=source.shape,
            output_shape=layout.shape,
            tiles=tiles,
            seconds=time.perf_counter() - started,
        )

    def _frames(self, source: RasterSource) -> tuple[int | None, tuple[int, ...]]:
        """Number of frames (``None``: not frame-wise) and the spatial shape of one frame."""
        channels, *spatial = source.shape
        if channels != self.in_channels:
            msg = (
                f"{source.path} has {channels} band(s) (shape {source.shape}), but the model "
                f"takes {self.in_channels} (the band count it was trained on, Data.channels)"
            )
            raise InputError(msg)
        dims = self.spatial_dims
        if len(spatial) == dims:
            return None, tuple(spatial)
        if dims == 2 and len(spatial) == 3:
            return spatial[0], tuple(spatial[1:])
        wanted = "[C, H, W] images or [C, F, H, W] frames" if dims == 2 else "[C, D, H, W] volumes"
        msg = (
            f"{source.path} has {len(spatial)} spatial axes (shape {source.shape}); a {dims}D "
            f"model takes {wanted}"
        )
        raise InputError(msg)

    def output_layout(self, source: RasterSource) -> OutputLayout:
        """Shape, dtype and nodata of the output for ``source``."""
        frames, spatial = self._frames(source)
        scaled = tuple(self.scale * size for size in spatial)
        shape = (
            (self.out_channels, *scaled) if frames is None else (self.out_channels, frames, *scaled)
        )
        # outputs held in memory live in RAM whatever the device
        budget = resolve_budget(self.options.max_memory, "cpu")
        return OutputLayout(
            shape=shape,
            dtype=source.dtype,
            nodata=source.nodata,
            scale=self.scale,
            scaled=(False,) * (frames is not None) + (True,) * len(spatial),
            memory_limit=MemoryLimit(budget.bytes, budget.reason),
        )

    def count_tiles(self, source: RasterSource) -> int:
        """Tiles the whole source takes (all frames)."""
        frames, spatial = self._frames(source)
        return (frames or 1) * len(self._plan(source, spatial))

    def _plan(self, source: RasterSource, spatial: tuple[int, ...]) -> TileGrid:
        try:
            return self._tiler.plan(spatial)
        except ValueError as error:
            msg = f"cannot tile {source.path} (spatial shape {spatial}): {error}"
            raise InputError(msg) from error

    def run(
        self,
        source: RasterSource,
        sink: RasterSink,
        progress: Progress | None = None,
        *,
        mask: RasterSource | None = None,
    ) -> None:
        """Stream ``source`` through the model into ``sink`` (which the caller commits).

        ``mask`` (a hole-filling model only) gives the holes; without it they are the nodata.
        """
        if mask is not None and not self.fills_holes:
            msg = f"a mask was given for {source.path}, but this model does not fill holes"
            raise InputError(msg)
        frames, spatial = self._frames(source)
        self._plan(source, spatial)
        layout = self.output_layout(source)
        for frame in [None] if frames is None else range(frames):
            holes = HoleSource(source, mask, frame) if self.fills_holes else None
            self._tiler.run(
                TileReader(source, frame, self.options.fill_radius, holes),
                spatial,
                BandWriter(source, sink, frame, layout, self.scale, holes),
                on_batch=None if progress is None else progress.update,
            )
