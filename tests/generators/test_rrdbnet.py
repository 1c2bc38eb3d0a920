from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from torch import Tensor, nn

from gan_engine.errors import GanEngineError, InvalidParamError
from gan_engine.generators.esrgan_layout import is_original_layout, to_basicsr_layout
from gan_engine.generators.rrdbnet import SCALES, RRDBNet, RRDBNetParams
from gan_engine.nn.pixel_shuffle import pixel_unshuffle
from gan_engine.registry import GENERATORS
from gan_engine.types import BuildContext, SpatialDims
from gan_engine.weights import ConvertsStateDict, load_strict
from tests.receptive_support import measured_radius

TINY = RRDBNetParams.tiny()


# --- a reference network in the original ESRGAN layout, written from its description -----------
# One nn.Sequential "model": conv, shortcut(sub = RRDBs + conv), then per upsampling stage
# [nearest upsample, conv, LeakyReLU], then conv, LeakyReLU, conv. Dense convs are Sequential(conv,
# LeakyReLU) (conv5: Sequential(conv)); every residual branch is scaled by 0.2.


def _conv(dims: int, cin: int, cout: int) -> nn.Module:
    return (nn.Conv2d if dims == 2 else nn.Conv3d)(cin, cout, 3, padding=1)


class _DenseBlock(nn.Module):
    def __init__(self, dims: int, nf: int, gc: int) -> None:
        super().__init__()
        act = nn.LeakyReLU(0.2)
        self.conv1 = nn.Sequential(_conv(dims, nf, gc), act)
        self.conv2 = nn.Sequential(_conv(dims, nf + gc, gc), act)
        self.conv3 = nn.Sequential(_conv(dims, nf + 2 * gc, gc), act)
        self.conv4 = nn.Sequential(_conv(dims, nf + 3 * gc, gc), act)
        self.conv5 = nn.Sequential(_conv(dims, nf + 4 * gc, nf))

    def forward(self, x: Tensor) -> Tensor:
        x1 = self.conv1(x)
        x2 = self.conv2(torch.cat((x, x1), 1))
        x3 = self.conv3(torch.cat((x, x1, x2), 1))
        x4 = self.conv4(torch.cat((x, x1, x2, x3), 1))
        x5: Tensor = self.conv5(torch.cat((x, x1, x2, x3, x4), 1))
        return x + 0.2 * x5


class _ResidualInResidual(nn.Module):
    def __init__(self, dims: int, nf: int, gc: int) -> None:
        super().__init__()
        self.RDB1 = _DenseBlock(dims, nf, gc)
        self.RDB2 = _DenseBlock(dims, nf, gc)
        self.RDB3 = _DenseBlock(dims, nf, gc)

    def forward(self, x: Tensor) -> Tensor:
        inner: Tensor = self.RDB3(self.RDB2(self.RDB1(x)))
        return x + 0.2 * inner


class _Shortcut(nn.Module):
    def __init__(self, sub: nn.Module) -> None:
        super().__init__()
        self.sub = sub

    def forward(self, x: Tensor) -> Tensor:
        branch: Tensor = self.sub(x)
        return x + branch


class OriginalESRGAN(nn.Module):
    def __init__(
        self, dims: int, in_nc: int, out_nc: int, nf: int, nb: int, gc: int, factors: list[int]
    ) -> None:
        super().__init__()
        trunk = [_ResidualInResidual(dims, nf, gc) for _ in range(nb)]
        layers: list[nn.Module] = [
            _conv(dims, in_nc, nf),
            _Shortcut(nn.Sequential(*trunk, _conv(dims, nf, nf))),
        ]
        for factor in factors:
            layers += [nn.Upsample(scale_factor=factor), _conv(dims, nf, nf), nn.LeakyReLU(0.2)]
        layers += [_conv(dims, nf, nf), nn.LeakyReLU(0.2), _conv(dims, nf, out_nc)]
        self.model = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        out: Tensor = self.model(x)
        return out


def basicsr_key(original: str, nb: int, n_up: int) -> str:
    """BasicSR's name for an original ESRGAN key (an independent spelling of the mapping)."""
    parts = original.split(".")
    kind = parts[-1]
    if parts[1] == "1":
        if parts[3] == str(nb):
            return f"conv_body.{kind}"
        return f"body.{parts[3]}.{parts[4].lower()}.{parts[5]}.{kind}"
    index = int(parts[1])
    names = {0: "conv_first", 3 * n_up + 2: "conv_hr", 3 * n_up + 4: "conv_last"}
    names |= {3 * (i + 1): f"conv_up{i + 1}" for i in range(n_up)}
    return f"{names[index]}.{kind}"


def reference(
    dims: int = 2, scale: int = 4, in_nc: int = 3, out_nc: int = 3, nb: int = 2
) -> OriginalESRGAN:
    torch.manual_seed(0)
    factors = [3] if scale == 3 else [2] * (scale.bit_length() - 1)
    return OriginalESRGAN(dims, in_nc, out_nc, nf=8, nb=nb, gc=4, factors=factors).eval()


def test_original_layout_keys_are_the_well_known_ones() -> None:
    keys = set(reference().state_dict())
    expected = {"model.0.weight", "model.1.sub.0.RDB1.conv1.0.weight", "model.1.sub.2.weight"}
    assert expected | {f"model.{i}.weight" for i in (3, 6, 8, 10)} <= keys
    assert is_original_layout(reference().state_dict())


@pytest.mark.parametrize("scale", sorted(SCALES))
def test_original_esrgan_weights_give_the_reference_outputs(scale: int, tmp_path: Path) -> None:
    net = reference(scale=scale)
    path = tmp_path / "RRDB_ESRGAN_old_arch.pth"
    torch.save(net.state_dict(), path)
    model = RRDBNet.from_pretrained(path, scale=scale if scale == 3 else None).eval()
    assert (model.scale, model.in_channels, model.out_channels) == (scale, 3, 3)
    assert (model.params.num_feat, model.params.num_block, model.params.num_grow_ch) == (8, 2, 4)
    lr = torch.rand(1, 3, 6, 5)
    with torch.no_grad():
        torch.testing.assert_close(model(lr), net(lr))


def test_conversion_matches_an_independent_spelling_of_the_mapping() -> None:
    state = reference(scale=8).state_dict()
    converted = to_basicsr_layout(state)
    assert converted == {basicsr_key(key, nb=2, n_up=3): value for key, value in state.items()}
    assert to_basicsr_layout(converted) == converted  # BasicSR names stay as they are


def test_basicsr_params_ema_and_safetensors_files_load(tmp_path: Path) -> None:
    net = reference(in_nc=4, out_nc=2)
    basicsr = {basicsr_key(k, nb=2, n_up=2): v for k, v in net.state_dict().items()}
    torch.save({"params_ema": basicsr, "params": {}}, tmp_path / "net_g.pth")
    save_file(basicsr, str(tmp_path / "net_g.safetensors"))
    lr = torch.rand(2, 4, 5, 5)
    for name in ("net_g.pth", "net_g.safetensors"):
        model = RRDBNet.from_pretrained(tmp_path / name).eval()
        assert (model.in_channels, model.out_channels, model.scale) == (4, 2, 4)
        with torch.no_grad():
            torch.testing.assert_close(model(lr), net(lr))


def test_3d_weights_load_as_3d(tmp_path: Path) -> None:
    net = reference(dims=3, scale=2, in_nc=1, out_nc=1, nb=1)
    torch.save(net.state_dict(), tmp_path / "volume.pth")
    model = RRDBNet.from_pretrained(tmp_path / "volume.pth", spatial_dims=3).eval()
    lr = torch.rand(1, 1, 4, 5, 3)
    with torch.no_grad():
        torch.testing.assert_close(model(lr), net(lr))
    with pytest.raises(GanEngineError, match=r"has 3 spatial axes .* expected 2"):
        RRDBNet.from_pretrained(tmp_path / "volume.pth", spatial_dims=2)


def test_registry_built_generator_converts_original_weights_on_strict_load() -> None:
    net = reference()
    model = GENERATORS.get("rrdbnet").factory(
        2, 3, 3, 4, RRDBNetParams(num_feat=8, num_block=2, num_grow_ch=4)
    )
    assert isinstance(model, ConvertsStateDict)
    assert isinstance(model, nn.Module)
    load_strict(model, net.state_dict(), "original.pth")
    lr = torch.rand(1, 3, 4, 4)
    with torch.no_grad():
        torch.testing.assert_close(model.eval()(lr), net(lr))


def test_unknown_and_mis_shaped_keys_are_named(tmp_path: Path) -> None:
    basicsr = to_basicsr_layout(reference().state_dict())
    torch.save({**basicsr, "conv_extra.weight": torch.zeros(1)}, tmp_path / "extra.pth")
    with pytest.raises(GanEngineError, match=r"unexpected keys: conv_extra\.weight"):
        RRDBNet.from_pretrained(tmp_path / "extra.pth")
    bad = dict(basicsr)
    bad["conv_hr.weight"] = torch.zeros(8, 8, 5, 5)
    torch.save(bad, tmp_path / "shape.pth")
    with pytest.raises(GanEngineError, match=r"conv_hr\.weight \(8, 8, 5, 5\) vs \(8, 8, 3, 3\)"):
        RRDBNet.from_pretrained(tmp_path / "shape.pth")
    missing = {k: v for k, v in basicsr.items() if k != "conv_body.bias"}
    torch.save(missing, tmp_path / "missing.pth")
    with pytest.raises(GanEngineError, match=r"missing keys: conv_body\.bias"):
        RRDBNet.from_pretrained(tmp_path / "missing.pth")
    no_first = {k: v for k, v in basicsr.items() if not k.startswith("conv_first")}
    torch.save(no_first, tmp_path / "first.pth")
    with pytest.raises(GanEngineError, match=r"missing key 'conv_first\.weight'"):
        RRDBNet.from_pretrained(tmp_path / "first.pth")


def test_original_layout_with_unexpected_indices_is_rejected(tmp_path: Path) -> None:
    state = reference().state_dict()
    state["model.12.weight"] = torch.zeros(1)
    torch.save(state, tmp_path / "odd.pth")
    with pytest.raises(GanEngineError, match=r"found model\.0, model\.3, model\.6, model\.8"):
        RRDBNet.from_pretrained(tmp_path / "odd.pth")


def test_scale_must_fit_the_upsampling_layers(tmp_path: Path) -> None:
    torch.save(reference(scale=4).state_dict(), tmp_path / "x4.pth")
    with pytest.raises(GanEngineError, match="2 conv_up layers cannot give scale 8"):
        RRDBNet.from_pretrained(tmp_path / "x4.pth", scale=8)


def test_pixel_unshuffle_x2_is_basicsrs_x2(tmp_path: Path) -> None:
    torch.manual_seed(0)
    params = attrs.evolve(TINY, pixel_unshuffle=True)
    model = RRDBNet(2, 3, 3, 2, params).eval()
    assert model.conv_first.in_channels == 12
    assert model.up_names == ["conv_up1", "conv_up2"]
    x4 = RRDBNet(2, 12, 3, 4, TINY).eval()
    x4.load_state_dict(model.state_dict())
    lr = torch.rand(1, 3, 6, 8)
    with torch.no_grad():
        sr = model(lr)
        assert sr.shape == (1, 3, 12, 16)
        torch.testing.assert_close(sr, x4(F.pixel_unshuffle(lr, 2)))
    torch.save(model.state_dict(), tmp_path / "RealESRGAN_x2plus.pth")
    loaded = RRDBNet.from_pretrained(tmp_path / "RealESRGAN_x2plus.pth").eval()
    assert loaded.params.pixel_unshuffle
    assert (loaded.scale, loaded.in_channels) == (2, 3)
    with torch.no_grad():
        torch.testing.assert_close(loaded(lr), sr)
    with pytest.raises(ValueError, match=r"needs even input sizes, got \(5, 8\)"):
        model(torch.rand(1, 3, 5, 8))


def test_pixel_unshuffle_only_at_x2() -> None:
    params = attrs.evolve(TINY, pixel_unshuffle=True)
    errors = list(params.check(BuildContext(spatial_dims=2, channels=3, scale=4)))
    assert [e.key for e in errors] == ["pixel_unshuffle"]
    assert not list(params.check(BuildContext(spatial_dims=2, channels=3, scale=2)))
    with pytest.raises(InvalidParamError, match="x2 or x1 only, the run has scale 4"):
        RRDBNet(2, 3, 3, 4, params)


@pytest.mark.parametrize(("scale", "n_up"), [(2, 1), (3, 1), (4, 2), (8, 3)])
@pytest.mark.parametrize("dims", [2, 3])
def test_output_shape_and_upsampling_layers(scale: int, n_up: int, dims: SpatialDims) -> None:
    model = RRDBNet(dims, 2, 3, scale, TINY)
    assert model.up_names == [f"conv_up{i}" for i in range(1, n_up + 1)]
    assert model(torch.rand(1, 2, *([3] * dims))).shape == (1, 3, *([3 * scale] * dims))


def test_global_skip_adds_the_interpolated_input() -> None:
    torch.manual_seed(0)
    model = RRDBNet(2, 2, 2, 4, attrs.evolve(TINY, global_skip=True)).eval()
    with torch.no_grad():
        for layer in (model.conv_last,):
            layer.weight.zero_()
            assert layer.bias is not None
            layer.bias.zero_()
        lr = torch.rand(1, 2, 5, 5)
        expected = F.interpolate(lr, scale_factor=4, mode="bicubic", align_corners=False)
        torch.testing.assert_close(model(lr), expected)
    with pytest.raises(InvalidParamError, match="in_channels=2 and out_channels=3"):
        RRDBNet(2, 2, 3, 4, attrs.evolve(TINY, global_skip=True))


@pytest.mark.parametrize(
    ("scale", "changes"),
    [(4, {}), (3, {}), (2, {"pixel_unshuffle": True}), (2, {"global_skip": True})],
)
def test_receptive_field_claim_is_exact(scale: int, changes: dict[str, Any]) -> None:
    torch.manual_seed(0)
    params = attrs.evolve(TINY, **changes)
    claimed = params.receptive_field(scale)
    model = RRDBNet(2, 1, 1, scale, params).double().eval()
    size = 2 * claimed + 4
    assert measured_radius(model, (1, 1, size, size), scale) == claimed


def test_default_capabilities() -> None:
    entry = GENERATORS.get("rrdbnet")
    assert entry.factory is RRDBNet
    assert entry.capabilities.scales == frozenset({2, 3, 4, 8})
    assert entry.capabilities.spatial_dims == frozenset({2, 3})
    # 23 RRDBs of 15 pixels each, plus the convs around them
    assert entry.capabilities.receptive_field == RRDBNetParams().receptive_field() == 349
    defaults = RRDBNetParams()
    assert (defaults.num_feat, defaults.num_block, defaults.num_grow_ch) == (64, 23, 32)
    assert defaults.residual_scale == defaults.negative_slope == 0.2


def test_ignores_cond_and_checks_its_input() -> None:
    model = RRDBNet(2, 3, 3, 2, TINY).eval()
    lr = torch.rand(1, 3, 4, 4)
    with torch.no_grad():
        assert torch.equal(model(lr, torch.rand(1, 5)), model(lr))
    with pytest.raises(ValueError, match=r"RRDBNet expects lr of shape \[B, 3, H, W\]"):
        model(torch.rand(1, 2, 4, 4))


def test_realesrgan_x1_is_pixel_unshuffle_by_four(tmp_path: Path) -> None:
    # Real-ESRGAN x1: pixel-unshuffle by 4, the x4 RRDBNet on the 16x wider input.
    torch.manual_seed(0)
    x4 = RRDBNet(2, 48, 3, 4, TINY).eval()
    torch.save({"params_ema": x4.state_dict()}, tmp_path / "RealESRGAN_x1.pth")
    loaded = RRDBNet.from_pretrained(tmp_path / "RealESRGAN_x1.pth").eval()
    assert (loaded.scale, loaded.in_channels, loaded.out_channels) == (1, 3, 3)
    assert loaded.params.pixel_unshuffle
    assert loaded.unshuffle == 4
    lr = torch.rand(1, 3, 8, 12)
    with torch.no_grad():
        sr = loaded(lr)
        assert sr.shape == lr.shape
        torch.testing.assert_close(sr, x4(F.pixel_unshuffle(lr, 4)))
    with pytest.raises(ValueError, match=r"input sizes divisible by 4, got \(6, 12\)"):
        loaded(torch.rand(1, 3, 6, 12))
    claimed = loaded.params.receptive_field(1)
    size = 4 * (claimed // 2 + 2)
    assert measured_radius(loaded.double(), (1, 3, size, size), 1) == claimed


def test_realesrgan_x1_3d_and_explicit_scale(tmp_path: Path) -> None:
    torch.manual_seed(0)
    x4 = RRDBNet(3, 64, 1, 4, TINY).eval()
    torch.save(x4.state_dict(), tmp_path / "x1_3d.pth")
    loaded = RRDBNet.from_pretrained(tmp_path / "x1_3d.pth", spatial_dims=3, scale=1).eval()
    assert (loaded.scale, loaded.in_channels, loaded.unshuffle) == (1, 1, 4)
    lr = torch.rand(1, 1, 4, 8, 4)
    with torch.no_grad():
        torch.testing.assert_close(loaded(lr), x4(pixel_unshuffle(lr, 4)))


def test_x1_needs_pixel_unshuffle() -> None:
    errors = list(TINY.check(BuildContext(spatial_dims=2, channels=3, scale=1)))
    assert [e.key for e in errors] == ["pixel_unshuffle"]
    with pytest.raises(InvalidParamError, match=r"x1 RRDBNet .* needs pixel_unshuffle: true"):
        RRDBNet(2, 3, 3, 1, TINY)
