"""opensr-srgan generator state dicts → GAN-Engine state dicts (key renames and exact folds).

Every opensr key is renamed by one rule of its layout; batch-norm layers that follow a biased
convolution in opensr-srgan's SRResNet get the bias folded into their running mean
(``BN(conv(x) + b)`` with mean ``m`` equals ``BN(conv(x))`` with mean ``m - b``, in evaluation and,
since the batch mean cancels ``b``, in training). Shapes are then checked against the GAN-Engine
generator built from the converted spec, naming the opensr tensor that disagrees.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from torch import Tensor, nn

from containers.convert.notes import ConversionError
from containers.convert.opensr_generators import OpensrKind

StateDict = dict[str, Tensor]
Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _rule(pattern: str, target: Callable[[re.Match[str]], str]) -> Rule:
    return re.compile(pattern), target


_UPSAMPLER = [
    # opensr's make_upsampler: [conv, shuffle, prelu] per x2 stage
    _rule(
        r"^upsampler\.(\d+)\.(weight|bias)$",
        lambda m: (
            f"upsampler.{2 * (int(m[1]) // 3)}.conv.{m[2]}"
            if int(m[1]) % 3 == 0
            else f"upsampler.{2 * (int(m[1]) // 3) + 1}.{m[2]}"
        ),
    ),
]
_HEAD_TAIL = [
    _rule(r"^(head\.[01]\.\w+|tail\.\w+)$", lambda m: m[1]),
    _rule(r"^body_tail\.(weight|bias)$", lambda m: f"body_end.0.{m[1]}"),
]
_DENSE = _rule(
    r"^body\.(\d+)\.db([123])\.c([1-5])\.(weight|bias)$",
    lambda m: f"body.{m[1]}.rdb{m[2]}.conv{m[3]}.{m[4]}",
)
_RCAB = {"conv1": "body.0", "act": "body.1", "conv2": "body.2", "se.1": "attention.gate.0"}
_LKA = {
    "conv1": "body.0",
    "act": "body.1",
    "lka.dw5": "body.2.local",
    "lka.dw7d": "body.2.dilated",
    "lka.pw": "body.2.pointwise",
    "conv2": "body.3",
}


def _block_table(table: Mapping[str, str]) -> Rule:
    names = "|".join(re.escape(name) for name in table)
    return _rule(
        rf"^body\.(\d+)\.({names})\.(weight|bias)$", lambda m: f"body.{m[1]}.{table[m[2]]}.{m[3]}"
    )


_STANDARD_BN = r"(weight|bias|running_mean|running_var|num_batches_tracked)"
RULES: Mapping[OpensrKind, list[Rule]] = {
    "standard": [
        _rule(
            r"^net\.conv_block1\.conv_block\.([01])\.(weight|bias)$",
            lambda m: f"head.{m[1]}.{m[2]}",
        ),
        _rule(
            r"^net\.residual_blocks\.(\d+)\.conv_block([12])\.conv_block\.([012])\."
            + _STANDARD_BN
            + "$",
            lambda m: f"body.{m[1]}.body.{3 * (int(m[2]) - 1) + int(m[3])}.{m[4]}",
        ),
        _rule(
            r"^net\.conv_block2\.conv_block\.([01])\." + _STANDARD_BN + "$",
            lambda m: f"body_end.{m[1]}.{m[2]}",
        ),
        _rule(
            r"^net\.subpixel_convolutional_blocks\.(\d+)\.conv\.(weight|bias)$",
            lambda m: f"upsampler.{2 * int(m[1])}.conv.{m[2]}",
        ),
        _rule(
            r"^net\.subpixel_convolutional_blocks\.(\d+)\.prelu\.weight$",
            lambda m: f"upsampler.{2 * int(m[1]) + 1}.weight",
        ),
        _rule(r"^net\.conv_block3\.conv_block\.0\.(weight|bias)$", lambda m: f"tail.{m[1]}"),
    ],
    "res": [
        _rule(
            r"^body\.(\d+)\.body\.([012])\.(weight|bias)$",
            lambda m: f"body.{m[1]}.body.{(0, 2, 3)[int(m[2])]}.{m[3]}",
        ),
        *_HEAD_TAIL,
        *_UPSAMPLER,
    ],
    "rcab": [
        _block_table(_RCAB),
        _rule(
            r"^body\.(\d+)\.se\.3\.(weight|bias)$", lambda m: f"body.{m[1]}.attention.gate.2.{m[2]}"
        ),
        *_HEAD_TAIL,
        *_UPSAMPLER,
    ],
    "rrdb": [_DENSE, *_HEAD_TAIL, *_UPSAMPLER],
    "lka": [_block_table(_LKA), *_HEAD_TAIL, *_UPSAMPLER],
    "esrgan": [
        _rule(r"^(conv_first|conv_body|conv_hr|conv_last)\.(weight|bias)$", lambda m: m[0]),
        _DENSE,
        _rule(
            r"^upsampler\.(\d+)\.(weight|bias)$",
            lambda m: (
                f"conv_up{int(m[1]) // 3 + 1}.{m[2]}"
                if int(m[1]) % 3 == 0
                else f"act_up{int(m[1]) // 3 + 1}.{m[2]}"
            ),
        ),
    ],
    "stochastic": [
        _rule(r"^body\.(\d+)\.(conv1|act|conv2|noise_mlp\.[02])\.(weight|bias)$", lambda m: m[0]),
        *_HEAD_TAIL,
        *_UPSAMPLER,
    ],
}
"""Rename rules per layout: opensr key (without ``generator.``) → GAN-Engine key."""

_FOLDED = re.compile(r"^(.*)\.conv_block\.0\.bias$")


def rename(kind: OpensrKind, state: Mapping[str, Tensor]) -> tuple[StateDict, dict[str, str]]:
    """Rename ``state``'s keys; returns the new state and GAN-Engine key → opensr key.

    Raises:
        ConversionError: a key no rule of ``kind`` knows (a checkpoint of another layout).
    """
    folded = _fold_biases(state) if kind == "standard" else dict(state)
    converted: StateDict = {}
    origin: dict[str, str] = {}
    unknown: list[str] = []
    for key, value in folded.items():
        target = next((make(m) for pattern, make in RULES[kind] if (m := pattern.match(key))), None)
        if target is None:
            unknown.append(key)
            continue
        converted[target] = value
        origin[target] = key
    if unknown:
        listing = ", ".join(f"generator.{key}" for key in unknown[:6])
        more = f" and {len(unknown) - 6} more" if len(unknown) > 6 else ""
        msg = (
            f"checkpoint tensors {listing}{more} do not belong to opensr-srgan's {kind!r} "
            "generator that the config describes (Generator.model_type/block_type)"
        )
        raise ConversionError(msg)
    return converted, origin


def _fold_biases(state: Mapping[str, Tensor]) -> StateDict:
    """Fold the bias of each conv followed by batch norm into that norm's running mean."""
    out = dict(state)
    for key, bias in state.items():
        match = _FOLDED.match(key)
        mean_key = f"{match[1]}.conv_block.1.running_mean" if match else ""
        if match and mean_key in state:
            out[mean_key] = state[mean_key] - bias
            del out[key]
    return out


def check_and_load(
    module: nn.Module, state: StateDict, origin: Mapping[str, str], what: str
) -> None:
    """Load ``state`` into ``module`` strictly, naming the opensr tensors that do not fit.

    Raises:
        ConversionError: missing tensors, or tensors whose shapes disagree with the config.
    """
    expected = module.state_dict()
    problems: list[str] = []
    for key, value in state.items():
        if key in expected and tuple(expected[key].shape) != tuple(value.shape):
            problems.append(
                f"generator.{origin.get(key, key)} has shape {tuple(value.shape)}, the config "
                f"needs {tuple(expected[key].shape)}"
            )
    missing = [key for key in expected if key not in state]
    if missing:
        problems.append(
            f"{len(missing)} tensors the config's generator needs are not in the checkpoint "
            f"(GAN-Engine names: {', '.join(missing[:6])})"
        )
    if problems:
        msg = f"{what}: the checkpoint disagrees with its config: " + "; ".join(problems[:8])
        raise ConversionError(msg)
    module.load_state_dict(state, strict=True)
