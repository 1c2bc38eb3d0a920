"""Real-ESRGAN U-Net discriminator weights (old spectral-norm keys) load strictly, same logits."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gan_engine.discriminators.unet import UNetDiscriminator, UNetDiscriminatorParams
from gan_engine.discriminators.unet_layout import is_realesrgan_layout, to_unet_layout
from gan_engine.errors import GanEngineError
from gan_engine.weights import ConvertsStateDict, load_strict


# --- Real-ESRGAN's UNetDiscriminatorSN, written from its description ---------------------------
# conv0 plain; conv1..3 (4x4 stride 2, no bias) down; per level up: bilinear x2, conv (no bias),
# LeakyReLU, + encoder skip; conv7, conv8 (no bias); conv9 plain to 1 channel. conv1..8 wear the
# old torch.nn.utils.spectral_norm (weight_orig, weight_u, weight_v).
class RealESRGANUNet(nn.Module):
    def __init__(self, dims: int, in_ch: int, nf: int) -> None:
        super().__init__()
        conv = nn.Conv2d if dims == 2 else nn.Conv3d
        sn = nn.utils.spectral_norm
        self.mode = "bilinear" if dims == 2 else "trilinear"
        self.conv0 = conv(in_ch, nf, 3, 1, 1)
        self.conv1 = sn(conv(nf, nf * 2, 4, 2, 1, bias=False))
        self.conv2 = sn(conv(nf * 2, nf * 4, 4, 2, 1, bias=False))
        self.conv3 = sn(conv(nf * 4, nf * 8, 4, 2, 1, bias=False))
        self.conv4 = sn(conv(nf * 8, nf * 4, 3, 1, 1, bias=False))
        self.conv5 = sn(conv(nf * 4, nf * 2, 3, 1, 1, bias=False))
        self.conv6 = sn(conv(nf * 2, nf, 3, 1, 1, bias=False))
        self.conv7 = sn(conv(nf, nf, 3, 1, 1, bias=False))
        self.conv8 = sn(conv(nf, nf, 3, 1, 1, bias=False))
        self.conv9 = conv(nf, 1, 3, 1, 1)

    def forward(self, x: Tensor) -> Tensor:
        def act(t: Tensor) -> Tensor:
            return F.leaky_relu(t, 0.2)

        def up(t: Tensor) -> Tensor:
            return F.interpolate(t, scale_factor=2, mode=self.mode, align_corners=False)

        x0 = act(self.conv0(x))
        x1 = act(self.conv1(x0))
        x2 = act(self.conv2(x1))
        x3 = act(self.conv3(x2))
        x4 = act(self.conv4(up(x3))) + x2
        x5 = act(self.conv5(up(x4))) + x1
        x6 = act(self.conv6(up(x5))) + x0
        out = act(self.conv8(act(self.conv7(x6))))
        result: Tensor = self.conv9(out)
        return result


def reference(dims: int = 2, in_ch: int = 3, nf: int = 4) -> RealESRGANUNet:
    torch.manual_seed(0)
    net = RealESRGANUNet(dims, in_ch, nf)
    net.train()
    with torch.no_grad():  # move u and v off their random start, as a trained net's are
        for _ in range(3):
            net(torch.rand(1, in_ch, *([16] * dims)))
    return net.eval()


def test_realesrgan_keys_are_the_old_spectral_norm_ones() -> None:
    keys = set(reference().state_dict())
    assert {"conv0.weight", "conv0.bias", "conv9.weight", "conv9.bias"} <= keys
    for index in range(1, 9):
        assert {
            f"conv{index}.weight_orig",
            f"conv{index}.weight_u",
            f"conv{index}.weight_v",
        } <= keys
    assert is_realesrgan_layout(reference().state_dict())


@pytest.mark.parametrize(("dims", "size"), [(2, (24, 32)), (3, (8, 16, 8))])
def test_realesrgan_weights_give_the_reference_logits(
    dims: int, size: tuple[int, ...], tmp_path: Path
) -> None:
    net = reference(dims=dims, in_ch=3 if dims == 2 else 1)
    path = tmp_path / "net_d.pth"
    torch.save({"params": net.state_dict()}, path)  # how Real-ESRGAN's trainer saves net_d
    loaded = UNetDiscriminator.from_pretrained(path).eval()
    assert loaded.spatial_dims == dims
    assert (loaded.params.base_channels, loaded.params.n_levels) == (4, 3)
    assert loaded.params.spectral_norm
    assert loaded.params.skip_connection
    x = torch.rand(2, net.conv0.in_channels, *size)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), net(x), rtol=1e-5, atol=1e-6)


def test_registry_built_discriminator_converts_on_strict_load() -> None:
    net = reference()
    model = UNetDiscriminator(2, 3, UNetDiscriminatorParams(base_channels=4)).eval()
    assert isinstance(model, ConvertsStateDict)
    load_strict(model, net.state_dict(), "net_d.pth")
    x = torch.rand(1, 3, 16, 16)
    with torch.no_grad():
        torch.testing.assert_close(model(x), net(x), rtol=1e-5, atol=1e-6)
    converted = to_unet_layout(net.state_dict())
    assert torch.equal(converted["down.0.parametrizations.weight.original"], net.conv1.weight_orig)
    assert torch.equal(converted["refine.1.parametrizations.weight.0._v"], net.conv8.weight_v)
    assert torch.equal(converted["up.2.parametrizations.weight.0._u"], net.conv6.weight_u)
    assert torch.equal(converted["last.bias"], net.conv9.bias)


def test_mis_fitting_weights_are_named(tmp_path: Path) -> None:
    state = reference().state_dict()
    wider = UNetDiscriminator(2, 3, UNetDiscriminatorParams(base_channels=8))
    with pytest.raises(
        GanEngineError,
        match=r"shape mismatches.*down\.0\.parametrizations\.weight\.0\._u \(8,\) vs \(16,\)",
    ):
        load_strict(wider, state, "net_d.pth")
    state["conv10.weight"] = torch.zeros(1)
    torch.save(state, tmp_path / "odd.pth")
    with pytest.raises(
        GanEngineError, match=r"expected convs conv0 \.\.\. conv\{2L\+3\}.*found conv0, .*conv10"
    ):
        UNetDiscriminator.from_pretrained(tmp_path / "odd.pth")
    del state["conv10.weight"]
    state["extra.weight"] = torch.zeros(1)
    torch.save(state, tmp_path / "extra.pth")
    with pytest.raises(GanEngineError, match=r"unexpected keys: extra\.weight"):
        UNetDiscriminator.from_pretrained(tmp_path / "extra.pth")
