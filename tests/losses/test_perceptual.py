"""VGG, LPIPS and custom-extractor losses: weights from local files only, checkpoints, bands, 2.5D."""

from __future__ import annotations

from pathlib import Path

import attrs
import lpips
import pytest
import torch
import torchvision
from torch import Tensor, nn

from gan_engine.errors import InvalidParamError, WeightsNotFoundError
from gan_engine.losses.bands import select_bands
from gan_engine.losses.feature_extractor import FeatureLoss, FeatureParams
from gan_engine.losses.learned_perceptual import LPIPSLoss, LPIPSParams
from gan_engine.losses.perceptual import VGG19_LAYERS, VGG19Features, VGGLoss, VGGParams
from gan_engine.losses.slices import over_slices
from gan_engine.protocols import LossContext
from gan_engine.types import BuildContext
from tests.losses.weight_files import ALEXNET_FILE, VGG16_FILE, VGG19_FILE

Weights = tuple[Path, dict[str, dict[str, Tensor]]]
NONE = LossContext()


def batch(*shape: int, seed: int = 0) -> Tensor:
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed)) * 2 - 1


# --- VGG19 layout and truncation -------------------------------------------------------------


def test_layer_names_match_torchvision_indices() -> None:
    features = torchvision.models.vgg.make_layers(torchvision.models.vgg.cfgs["E"])
    for name, index in VGG19_LAYERS.items():
        kind = {"conv": nn.Conv2d, "relu": nn.ReLU, "pool": nn.MaxPool2d}[name[:4]]
        assert isinstance(features[index], kind), name
    assert (VGG19_LAYERS["relu2_2"], VGG19_LAYERS["conv5_4"], VGG19_LAYERS["relu5_4"]) == (
        8,
        34,
        35,
    )
    ours = VGG19Features(len(features) - 1).features.state_dict()
    theirs = features.state_dict()
    assert {k: v.shape for k, v in ours.items()} == {k: v.shape for k, v in theirs.items()}


def test_backbone_is_truncated_after_the_deepest_layer() -> None:
    loss = VGGLoss(VGGParams(layers={"relu1_2": 0.5, "relu2_2": 1.0}, pretrained=False))
    assert len(loss.backbone.features) == VGG19_LAYERS["relu2_2"] + 1
    assert not any(isinstance(m, nn.Linear) for m in loss.backbone.modules())


# --- weight files ----------------------------------------------------------------------------


def test_vgg_loads_the_cached_file(torch_home: Weights) -> None:
    _, states = torch_home
    loss = VGGLoss(VGGParams())  # pretrained, conv5_4: every convolution up to index 34
    ours = loss.backbone.features.state_dict()
    assert ours
    for key, value in ours.items():
        torch.testing.assert_close(value, states[VGG19_FILE][f"features.{key}"], rtol=0, atol=0)
    # and the features equal torchvision's on the same weights
    reference = torchvision.models.vgg.make_layers(torchvision.models.vgg.cfgs["E"])
    reference.load_state_dict(
        {
            k.removeprefix("features."): v
            for k, v in states[VGG19_FILE].items()
            if k.startswith("features.")
        }
    )
    x = torch.rand(1, 3, 16, 16)
    normalised = (x - loss.backbone.mean) / loss.backbone.std
    expected = reference[: VGG19_LAYERS["relu2_2"] + 1](normalised)
    got = loss.backbone(x, frozenset({VGG19_LAYERS["relu2_2"]}))[VGG19_LAYERS["relu2_2"]]
    torch.testing.assert_close(got, expected)


def test_vgg_weights_path(torch_home: Weights, tmp_path: Path) -> None:
    home, states = torch_home
    moved = tmp_path / "my_vgg.pth"
    moved.write_bytes((home / "hub" / "checkpoints" / VGG19_FILE).read_bytes())
    loss = VGGLoss(VGGParams(layers={"relu1_1": 1.0}, weights_path=str(moved)))
    torch.testing.assert_close(
        loss.backbone.features[0].weight, states[VGG19_FILE]["features.0.weight"]
    )
    with pytest.raises(WeightsNotFoundError) as error:
        VGGLoss(VGGParams(weights_path=str(tmp_path / "absent.pth")))
    assert "absent.pth" in str(error.value)
    assert str(tmp_path) in str(error.value)


def test_vgg_missing_file_names_file_and_folder(empty_torch_home: Path) -> None:
    with pytest.raises(WeightsNotFoundError) as error:
        VGGLoss(VGGParams())
    message = str(error.value)
    assert "vgg19-dcbb9e9d.pth" in message
    assert str(empty_torch_home / "hub" / "checkpoints") in message
    assert isinstance(error.value, FileNotFoundError)


def test_vgg_rejects_a_file_without_vgg_tensors(empty_torch_home: Path) -> None:
    folder = empty_torch_home / "hub" / "checkpoints"
    folder.mkdir(parents=True)
    torch.save({"something.else": torch.zeros(1)}, folder / VGG19_FILE)
    with pytest.raises(
        WeightsNotFoundError, match=r"lacks \d+ expected tensors \(features\.0\.bias"
    ):
        VGGLoss(VGGParams())


def test_lpips_loads_backbone_and_linear_weights(torch_home: Weights) -> None:
    _, states = torch_home
    loss = LPIPSLoss(LPIPSParams(net="alex"))
    model = loss.frozen("lpips")
    torch.testing.assert_close(
        model.net.slice1[0].weight, states[ALEXNET_FILE]["features.0.weight"]
    )
    torch.testing.assert_close(
        getattr(model.net.slice5, "10").bias, states[ALEXNET_FILE]["features.10.bias"]
    )
    shipped = torch.load(
        Path(lpips.__file__).parent / "weights" / "v0.1" / "alex.pth",
        map_location="cpu",
        weights_only=True,
    )
    torch.testing.assert_close(model.lin0.model[1].weight, shipped["lin0.model.1.weight"])


@pytest.mark.parametrize(("net", "file"), [("vgg", VGG16_FILE), ("alex", ALEXNET_FILE)])
def test_lpips_missing_file_names_file_and_folder(
    empty_torch_home: Path, net: str, file: str
) -> None:
    with pytest.raises(WeightsNotFoundError) as error:
        LPIPSLoss(LPIPSParams(net=net))  # type: ignore[arg-type]
    assert file in str(error.value)
    assert str(empty_torch_home / "hub" / "checkpoints") in str(error.value)


def test_weights_path_needs_pretrained() -> None:
    with pytest.raises(InvalidParamError, match="weights_path"):
        VGGParams(pretrained=False, weights_path="x.pth")


# --- checkpoints, modes, devices -------------------------------------------------------------


class Holder(nn.Module):
    """A module holding a perceptual loss next to trainable layers, like the training module."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Conv2d(3, 3, 1)
        self.losses = nn.ModuleList([VGGLoss(VGGParams.tiny()), LPIPSLoss(LPIPSParams.tiny())])


def test_backbones_stay_out_of_checkpoints_and_reload_strictly() -> None:
    holder = Holder()
    state = holder.state_dict()
    assert set(state) == {"net.weight", "net.bias"}
    fresh = Holder()
    fresh.load_state_dict(state, strict=True)
    torch.testing.assert_close(fresh.net.weight, holder.net.weight)
    assert [name for name, _ in holder.named_parameters()] == ["net.weight", "net.bias"]
    with pytest.raises(RuntimeError, match="Unexpected key"):
        fresh.load_state_dict({**state, "losses.0.vgg19.features.0.weight": torch.zeros(1)})


def test_backbones_stay_frozen_and_in_eval_mode() -> None:
    holder = Holder().train()
    vgg, lpips_loss = holder.losses
    assert vgg.training
    for network in (vgg.frozen("vgg19"), lpips_loss.frozen("lpips")):
        assert not network.training
        assert all(not module.training for module in network.modules())
        assert all(not parameter.requires_grad for parameter in network.parameters())


def test_backbones_follow_dtype_and_device_moves() -> None:
    holder = Holder().to(torch.float64)  # moves go through the parent, as in Lightning
    loss, lpips_loss = holder.losses
    assert lpips_loss.frozen("lpips").net.slice1[0].weight.dtype == torch.float64
    assert loss.backbone.features[0].weight.dtype == torch.float64
    assert loss.backbone.mean.dtype == torch.float64
    value = loss(batch(1, 3, 8, 8).double(), batch(1, 3, 8, 8, seed=1).double(), NONE)
    assert value.dtype == torch.float64


def test_gradient_reaches_sr_not_the_backbone() -> None:
    loss = VGGLoss(VGGParams.tiny())
    sr = batch(2, 3, 8, 8).requires_grad_(True)
    loss(sr, batch(2, 3, 8, 8, seed=1), NONE).backward()
    assert sr.grad is not None
    assert all(parameter.grad is None for parameter in loss.backbone.parameters())


# --- value range, masks, layer weights -------------------------------------------------------


def test_value_range_maps_to_unit_range() -> None:
    minus_one_one = VGGLoss(VGGParams.tiny())
    zero_one = VGGLoss(attrs.evolve(VGGParams.tiny(), value_range=(0.0, 1.0)))
    zero_one.backbone.load_state_dict(minus_one_one.backbone.state_dict())
    x, y = batch(1, 3, 8, 8), batch(1, 3, 8, 8, seed=1)
    expected = minus_one_one(x, y, NONE)
    torch.testing.assert_close(zero_one((x + 1) / 2, (y + 1) / 2, NONE), expected)


def test_layer_weights_scale_the_terms() -> None:
    one = VGGLoss(VGGParams(layers={"relu1_1": 1.0}, pretrained=False))
    three = VGGLoss(VGGParams(layers={"relu1_1": 3.0}, pretrained=False))
    three.backbone.load_state_dict(one.backbone.state_dict())
    x, y = batch(1, 3, 8, 8), batch(1, 3, 8, 8, seed=1)
    torch.testing.assert_close(three(x, y, NONE), 3 * one(x, y, NONE))


def test_perceptual_mask_replaces_invalid_sr_pixels() -> None:
    loss = VGGLoss(VGGParams.tiny())
    hr = batch(1, 3, 8, 8)
    sr = hr.clone()
    sr[..., :4] = 7.0
    mask = torch.ones(1, 1, 8, 8)
    mask[..., :4] = 0
    assert float(loss(sr, hr, NONE)) > 0
    assert float(loss(sr, hr, LossContext(mask=mask))) == 0.0


def test_unknown_layer_is_named() -> None:
    with pytest.raises(InvalidParamError) as error:
        VGGParams(layers={"relu6_1": 1.0})
    assert error.value.key == "layers.relu6_1"


# --- bands -----------------------------------------------------------------------------------


def test_band_selection_rules() -> None:
    x = torch.arange(5.0).reshape(1, 5, 1, 1).expand(1, 5, 2, 2)
    picked, _ = select_bands("t", x, x, channels=[4, 0, 2], random_channels=False, count=3)
    assert picked[0, :, 0, 0].tolist() == [4.0, 0.0, 2.0]
    one = x[:, :1]
    repeated, _ = select_bands("t", one, one, channels=None, random_channels=False, count=3)
    assert repeated.shape[1] == 3
    rgb = x[:, :3]
    same, _ = select_bands("t", rgb, rgb, channels=None, random_channels=False, count=3)
    assert same is rgb
    with pytest.raises(ValueError, match="takes 3 bands but the input has 5"):
        select_bands("t", x, x, channels=None, random_channels=False, count=3)
    with pytest.raises(ValueError, match=r"name bands \[7\], but the input has 5 bands"):
        select_bands("t", x, x, channels=[0, 1, 7], random_channels=False, count=3)


def test_random_bands_are_distinct_and_shared_by_sr_and_hr() -> None:
    sr = torch.arange(6.0).reshape(1, 6, 1, 1)
    hr = sr + 100
    seen = set()
    for _ in range(20):
        a, b = select_bands("t", sr, hr, channels=None, random_channels=True, count=3)
        bands = a.flatten().tolist()
        assert len(set(bands)) == 3
        assert (b - a).flatten().tolist() == [100.0] * 3
        seen.update(bands)
    assert len(seen) > 3


def test_multispectral_vgg_needs_band_options() -> None:
    loss = VGGLoss(VGGParams.tiny())
    with pytest.raises(ValueError, match="takes 3 bands but the input has 4"):
        loss(batch(1, 4, 8, 8), batch(1, 4, 8, 8), NONE)
    with pytest.raises(InvalidParamError) as error:
        VGGParams(channels=[0, 1])
    assert error.value.key == "channels"
    with pytest.raises(InvalidParamError, match="random_channels"):
        VGGParams(channels=[0, 1, 2], random_channels=True)
    problems = VGGParams.tiny().check(BuildContext(2, 4, 2))
    assert [problem.key for problem in problems] == ["channels"]
    assert VGGParams(channels=[3, 2, 1], pretrained=False).check(BuildContext(2, 4, 2)) == []
    assert VGGParams(channels=[3, 2, 1], pretrained=False).check(BuildContext(2, 3, 2))


# --- 2.5D ------------------------------------------------------------------------------------


def test_over_slices_averages_the_three_axes() -> None:
    volume = torch.rand(2, 1, 3, 4, 5)
    shapes: list[tuple[int, ...]] = []

    def term(a: Tensor, b: Tensor) -> Tensor:
        shapes.append(tuple(a.shape))
        return a.mean() - b.mean()

    value = over_slices(term, volume, torch.zeros_like(volume), max_slices=None)
    assert shapes == [(6, 1, 4, 5), (8, 1, 3, 5), (10, 1, 3, 4)]
    torch.testing.assert_close(value, volume.mean())
    shapes.clear()
    over_slices(term, volume, volume, max_slices=2)
    assert shapes == [(4, 1, 4, 5), (4, 1, 3, 5), (4, 1, 3, 4)]


def test_vgg_on_a_volume_is_the_mean_of_its_slice_losses() -> None:
    loss = VGGLoss(VGGParams(layers={"relu1_1": 1.0}, pretrained=False))
    sr, hr = batch(1, 3, 4, 6, 8), batch(1, 3, 4, 6, 8, seed=1)
    per_axis = [
        loss(
            sr.movedim(2 + axis, 1).reshape(
                -1, 3, *[s for i, s in enumerate(sr.shape[2:]) if i != axis]
            ),
            hr.movedim(2 + axis, 1).reshape(
                -1, 3, *[s for i, s in enumerate(hr.shape[2:]) if i != axis]
            ),
            NONE,
        )
        for axis in range(3)
    ]
    torch.testing.assert_close(loss(sr, hr, NONE), torch.stack(per_axis).mean())


# --- custom feature extractor ----------------------------------------------------------------


class TwoMaps(nn.Module):
    """A toy extractor returning two feature maps."""

    def __init__(self, scale: float = 1.0) -> None:
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3)
        self.scale = scale

    def forward(self, x: Tensor) -> list[Tensor]:
        first = self.conv(x) * self.scale
        return [first, first.mean(dim=1, keepdim=True)]


def two_map_function(x: Tensor) -> list[Tensor]:
    return [x, 2 * x]


def make_nothing() -> None:
    return None


def test_feature_loss_builds_the_extractor_and_hides_it() -> None:
    params = FeatureParams(
        extractor="tests.losses.test_perceptual:TwoMaps",
        extractor_kwargs={"scale": 2.0},
        channels=[0, 2],
    )
    loss = FeatureLoss(params)
    network = loss.frozen("extractor")
    assert isinstance(network, TwoMaps)
    assert network.scale == 2.0
    assert loss.state_dict() == {}
    sr = batch(1, 3, 6, 6).requires_grad_(True)
    value = loss(sr, batch(1, 3, 6, 6, seed=1), NONE)
    value.backward()
    assert sr.grad is not None
    assert sr.grad[:, 1].abs().sum() == 0  # band 1 is not fed to the extractor


def test_feature_loss_with_a_function_and_layer_weights() -> None:
    params = FeatureParams(
        extractor="tests.losses.test_perceptual:two_map_function",
        factory=False,
        layer_weights=[1.0, 3.0],
    )
    sr, hr = torch.ones(1, 1, 4, 4), torch.zeros(1, 1, 4, 4)
    # distances 1 and 2, weighted mean (1·1 + 3·2) / 4
    assert float(FeatureLoss(params)(sr, hr, NONE)) == pytest.approx(7 / 4)
    with pytest.raises(ValueError, match="layer_weights has 1 values but the extractor returned 2"):
        FeatureLoss(attrs.evolve(params, layer_weights=[1.0]))(sr, hr, NONE)


def test_feature_loss_volumetric_extractor_sees_volumes() -> None:
    params = FeatureParams(extractor="torch.nn:Identity", volumetric=True)
    sr, hr = torch.ones(1, 1, 3, 4, 5), torch.zeros(1, 1, 3, 4, 5)
    assert float(FeatureLoss(params)(sr, hr, NONE)) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("extractor", "message"),
    [
        ("no_colon", "expected 'package.module:callable'"),
        ("not_a_module_xyz:thing", "cannot import 'not_a_module_xyz'"),
        ("torch.nn:NoSuchLayer", "has no attribute 'NoSuchLayer'"),
        ("math:pi", "is not callable"),
        ("tests.losses.test_perceptual:two_map_function", "set factory: false"),
        (
            "tests.losses.test_perceptual:make_nothing",
            "built a NoneType, expected a torch.nn.Module",
        ),
    ],
)
def test_feature_loss_bad_extractors(extractor: str, message: str) -> None:
    with pytest.raises(InvalidParamError, match=message) as error:
        FeatureLoss(FeatureParams(extractor=extractor))
    assert error.value.key == "extractor"
