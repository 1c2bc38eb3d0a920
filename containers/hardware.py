"""A spec's ``auto`` precision and memory layout, resolved for the device its Trainer uses.

The rules are :func:`gan_engine.hardware.choice.resolve`'s; this module reads the facts of the device
named by ``Trainer.accelerator``, builds the layout probe from the spec's own generator when the facts
leave the layout open (and ``Training.hardware_probe`` allows it), and returns the spec with concrete
values, which is what the run's ``spec.yaml`` and checkpoints record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import attrs
import torch

from containers.builders import build_generator
from containers.spec.resolved import spec_to_dict
from containers.spec.schema import Spec
from containers.spec.sites import evolve_section, resolved_entry
from gan_engine.hardware.choice import (
    HardwareChoice,
    LayoutProbe,
    LayoutTiming,
    layout_is_open,
    resolve,
)
from gan_engine.hardware.facts import DeviceType, HardwareFacts, detect_facts, device_type_for
from gan_engine.hardware.precision import Precision
from gan_engine.hardware.probe import ProbeCache, cached_probe, time_layouts
from gan_engine.registry import GENERATORS

_PROBE_LR_EDGE = {2: 32, 3: 12}
_PROBE_BATCH = {2: 2, 3: 1}


@attrs.frozen
class ResolvedHardware:
    """The spec with ``auto`` replaced by concrete values, and the choice behind them.

    Attributes:
        spec: the run spec, ``Training.precision`` and ``Training.channels_last`` concrete.
        choice: what was chosen and why (``choice.reason`` is printed at start).
    """

    spec: Spec
    choice: HardwareChoice


def trainer_device(spec: Spec) -> DeviceType:
    """The device the spec's Trainer trains on (``Trainer.accelerator``, default ``auto``)."""
    return device_type_for(str(spec.Trainer.get("accelerator", "auto")))


def resolve_spec(
    spec: Spec,
    facts: HardwareFacts | None = None,
    *,
    probe: LayoutProbe | None = None,
    cache: ProbeCache | None = None,
) -> ResolvedHardware:
    """Resolve ``Training.precision``/``channels_last: auto`` for the spec's device.

    Args:
        spec: the validated spec (explicit values are kept).
        facts: the device's facts (default: read from the device ``Trainer.accelerator`` names).
        probe: the layout probe (default: the spec's generator timed in both layouts, cached, when
            the facts leave the layout open and ``Training.hardware_probe`` is true).
        cache: where that default probe caches (default: the user cache folder).
    """
    training = spec.Training
    facts = facts or detect_facts(trainer_device(spec))
    if probe is None and training.hardware_probe and layout_is_open(facts, training.channels_last):
        probe = generator_probe(spec, facts, cache)
    choice = resolve(facts, training.precision, training.channels_last, probe=probe)
    resolved = attrs.evolve(
        training, precision=choice.precision, channels_last=choice.channels_last
    )
    return ResolvedHardware(spec=attrs.evolve(spec, Training=resolved), choice=choice)


def keep_checkpoint_hardware(spec: Spec, saved: Mapping[str, Any]) -> Spec:
    """``auto`` settings replaced by those a resumed checkpoint's resolved spec recorded.

    A resumed run continues with the precision (and loss-scaler state) and layout it started with,
    even on another machine; explicit settings in ``spec`` still win.
    """
    training = spec.Training
    recorded = saved.get("Training") if isinstance(saved, Mapping) else None
    if not isinstance(recorded, Mapping):
        return spec
    changes: dict[str, Any] = {}
    if training.precision == "auto" and recorded.get("precision") not in (None, "auto"):
        changes["precision"] = recorded["precision"]
    if training.channels_last == "auto" and isinstance(recorded.get("channels_last"), bool):
        changes["channels_last"] = recorded["channels_last"]
    if not changes:
        return spec
    return attrs.evolve(spec, Training=attrs.evolve(training, **changes))


def apply_backend_flags(choice: HardwareChoice) -> None:
    """Set the global torch flags that go with ``choice`` (TF32, cuDNN autotuning on CUDA)."""
    if choice.allow_tf32:
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    if choice.cudnn_benchmark:
        torch.backends.cudnn.benchmark = True


def generator_probe(
    spec: Spec, facts: HardwareFacts, cache: ProbeCache | None = None
) -> LayoutProbe:
    """Times the spec's generator (fresh weights) on a small LR batch in both layouts, cached."""
    data = spec.Data
    dims = data.spatial_dims
    entry = resolved_entry(spec.Generator, "Generator", GENERATORS)
    edge = max(_PROBE_LR_EDGE[dims], entry.capabilities.min_input_size)
    shape = (_PROBE_BATCH[dims], data.channels, *([edge] * dims))

    def measure(precision: Precision) -> LayoutTiming:
        untrained = attrs.evolve(spec, Generator=evolve_section(spec.Generator, pretrained=None))
        generator = build_generator(untrained)
        if not isinstance(generator, torch.nn.Module):
            msg = f"{type(generator).__qualname__} is not a torch.nn.Module"
            raise TypeError(msg)
        example = torch.rand(shape, generator=torch.Generator().manual_seed(0))
        return time_layouts(generator, example, precision)

    plain = spec_to_dict(spec)
    signature = json.dumps(
        {"Generator": plain.get("Generator"), "input": list(shape), "scale": data.scale},
        sort_keys=True,
    )
    return cached_probe(measure, facts, signature, cache)
