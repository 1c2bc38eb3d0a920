"""Prompt corpora: manifests, sidecars, missing prompts, dropout, and the embedded corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from gan_engine.data.prompts.corpus import MRI_PROMPTS, MULTISPECTRAL_PROMPTS, PHOTO_PROMPTS
from gan_engine.data.prompts.manifests import PromptEntry, prompts_for, read_manifest
from gan_engine.data.prompts.params import (
    PromptedMRIParams,
    PromptedPhotosParams,
    PromptedRastersParams,
)
from gan_engine.data.prompts.samples import (
    SamplePromptedMRIParams,
    SamplePromptedMRISelector,
    SamplePromptedMultispectralParams,
    SamplePromptedMultispectralSelector,
    SamplePromptedPhotosParams,
    SamplePromptedPhotosSelector,
)
from gan_engine.data.prompts.selectors import (
    PromptedMRISelector,
    PromptedPhotosSelector,
    PromptedRastersSelector,
)
from gan_engine.errors import DataError, InvalidParamError
from gan_engine.types import BuildContext


def flat_images(folder: Path, count: int = 4) -> list[Path]:
    """``img{i}.png``: 32x32 RGB filled with ``40 * i``, so a crop tells which image it is from."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"img{index}.png"
        Image.fromarray(np.full((32, 32, 3), 40 * index, dtype=np.uint8)).save(path)
        paths.append(path)
    return paths


def test_jsonl_and_csv_manifests(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(
        '{"path": "img/x.png", "prompt": "a cat", "metadata": {"site": 3}}\n\n'
        '{"path": "/abs/y.png", "prompt": ""}\n'
    )
    table = read_manifest(tmp_path / "a.jsonl")
    assert table[(tmp_path / "img/x.png").resolve()] == PromptEntry("a cat", {"site": 3})
    assert table[Path("/abs/y.png")] == PromptEntry("")
    (tmp_path / "b.csv").write_text('path,prompt,metadata\nx.png,"a, b","{""k"": 1}"\n')
    assert read_manifest(tmp_path / "b.csv") == {
        (tmp_path / "x.png").resolve(): PromptEntry("a, b", {"k": 1})
    }


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "m.jsonl",
            '{"path": "x.png", "prompt": "a"}\nnot json\n',
            r"m\.jsonl:2: not a JSON object",
        ),
        ("m.jsonl", '{"path": "x.png"}\n', r"m\.jsonl:1: expected a 'prompt' string"),
        ("m.jsonl", '{"path": "x.png", "prompt": "a", "metadata": [1]}\n', "JSON object"),
        (
            "m.jsonl",
            '{"path": "x.png", "prompt": "a"}\n{"path": "x.png", "prompt": "b"}\n',
            "twice",
        ),
        ("m.csv", "file,prompt\nx.png,a\n", r"m\.csv:1: the header needs the columns"),
        (
            "m.csv",
            "path,prompt,metadata\nx.png,a,{oops\n",
            r"m\.csv:2: 'metadata' is not valid JSON",
        ),
        ("m.txt", "", r"\.jsonl or \.csv"),
    ],
)
def test_malformed_manifests_name_file_and_line(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(DataError, match=message):
        read_manifest(tmp_path / name)


def test_a_missing_prompt_is_an_error_naming_the_image(tmp_path: Path) -> None:
    images = flat_images(tmp_path / "img", 3)
    images[0].with_suffix(".txt").write_text("  the first  \n")
    with pytest.raises(DataError, match=r"no prompt for 2 image\(s\): .*img1\.png.*beside each"):
        prompts_for(images, None)
    images[1].with_suffix(".txt").write_text("second")
    images[2].with_suffix(".txt").write_text("")
    assert [e.prompt for e in prompts_for(images, None)] == ["the first", "second", ""]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps({"path": "img/img0.png", "prompt": "zero"}) + "\n")
    with pytest.raises(DataError, match=r"img1\.png.*in the manifest"):
        prompts_for(images, manifest)


def params_for(folder: Path, **changes: object) -> PromptedPhotosParams:
    values: dict[str, object] = {
        "root": str(folder),
        "val_count": 1,
        "patch_size": 16,
        "val_patch_size": 16,
        "samples_per_epoch": 24,
    }
    return PromptedPhotosParams(**{**values, **changes})  # type: ignore[arg-type]


def test_every_item_carries_the_prompt_of_its_own_image(tmp_path: Path) -> None:
    images = flat_images(tmp_path / "img")
    rows = [
        json.dumps({"path": f"img/{p.name}", "prompt": f"level {40 * i}", "metadata": {"i": i}})
        for i, p in enumerate(images)
    ]
    (tmp_path / "m.jsonl").write_text("\n".join(rows))
    selector = PromptedPhotosSelector(
        2, 3, 2, params_for(tmp_path / "img", prompts=str(tmp_path / "m.jsonl"))
    )
    for dataset in (selector.train_dataset(), selector.val_dataset()):
        for index in range(len(dataset)):
            sample = dataset[index]
            level = int(sample["hr"][0, 0, 0])
            assert sample["metadata"]["prompt"] == f"level {level}"
            assert sample["metadata"]["id"] == f"img{level // 40}.png"
            assert sample["metadata"]["i"] == level // 40
    assert selector.prompts() == [f"level {40 * i}" for i in range(4)]
    assert selector.ids() == [f"img{i}.png" for i in range(4)]


def test_prompt_dropout_is_seeded_per_epoch_and_never_in_validation(tmp_path: Path) -> None:
    for index, path in enumerate(flat_images(tmp_path / "img")):
        path.with_suffix(".txt").write_text(f"image {index}")
    params = params_for(tmp_path / "img", prompt_dropout=0.5, samples_per_epoch=200)
    selector = PromptedPhotosSelector(2, 3, 2, params)
    first, second = selector.train_dataset(), selector.train_dataset()
    dropped = [first.dropped(i) for i in range(200)]
    assert 60 < sum(dropped) < 140
    assert dropped == [second.dropped(i) for i in range(200)]  # a rerun drops the same ones
    first.set_epoch(1)
    assert dropped != [first.dropped(i) for i in range(200)]
    assert (first[0]["metadata"]["prompt"] == "") == first.dropped(0)
    assert "" in selector.prompts()
    val = selector.val_dataset()
    assert all(val[i]["metadata"]["prompt"] for i in range(len(val)))
    with pytest.raises(InvalidParamError, match="prompt_dropout"):
        params_for(tmp_path / "img", prompt_dropout=1.0)


def test_sample_corpus_photos() -> None:
    selector = SamplePromptedPhotosSelector(2, 3, 4, SamplePromptedPhotosParams.tiny())
    assert set(PHOTO_PROMPTS) >= set(selector.ids())
    train = selector.train_dataset()
    for index in range(4):
        metadata = train[index]["metadata"]
        assert metadata["prompt"] == PHOTO_PROMPTS[metadata["id"]]
    assert selector.val_dataset()[0]["metadata"]["id"] == "chelsea"


def test_sample_corpus_multispectral(sample_cache: Path) -> None:
    params = SamplePromptedMultispectralParams(
        cache_dir=str(sample_cache), patch_size=32, val_patch_size=64, samples_per_epoch=4
    )
    selector = SamplePromptedMultispectralSelector(2, 4, 2, params)
    sample = selector.train_dataset()[0]
    assert sample["hr"].shape[0] == 4
    assert sample["metadata"]["prompt"] == MULTISPECTRAL_PROMPTS[sample["metadata"]["id"]]
    assert "near-infrared" in sample["metadata"]["prompt"]


def test_sample_corpus_mri_volumes() -> None:
    selector = SamplePromptedMRISelector(3, 1, 2, SamplePromptedMRIParams.tiny())
    train = selector.train_dataset()
    prompts = {train[i]["metadata"]["prompt"] for i in range(3)}
    assert prompts == set(MRI_PROMPTS.values())
    assert train[0]["hr"].ndim == 4  # [C, D, H, W]
    val = selector.val_dataset()[0]["metadata"]
    assert val["prompt"] == MRI_PROMPTS["example4d"]
    assert val["id"].startswith("example4d.nii.gz")


def test_prompted_rasters_pair_each_scene_with_its_prompt(
    tmp_path: Path, write_geotiff: Any
) -> None:
    folder = tmp_path / "scenes"
    for index in range(3):
        array = np.full((4, 32, 32), 100 * (index + 1), dtype=np.uint16)
        path = write_geotiff(folder / f"s{index}.tif", array)
        path.with_suffix(".txt").write_text(f"scene at {100 * (index + 1)}")
    params = PromptedRastersParams(
        root=str(folder), val_count=1, patch_size=16, val_patch_size=16, samples_per_epoch=6
    )
    selector = PromptedRastersSelector(2, 4, 2, params)
    for dataset in (selector.train_dataset(), selector.val_dataset()):
        for index in range(len(dataset)):
            sample = dataset[index]
            level = round(float(sample["hr"].max()))
            assert sample["metadata"]["prompt"] == f"scene at {level}"
    assert selector.ids() == ["s0.tif", "s1.tif", "s2.tif"]


def test_prompted_mri_shares_a_files_prompt_across_its_volumes(tmp_path: Path) -> None:
    nibabel = pytest.importorskip("nibabel")
    folder = tmp_path / "mri"
    folder.mkdir()
    for index, shape in enumerate([(16, 16, 16, 2), (16, 16, 16)]):
        data = np.random.default_rng(index).random(shape).astype(np.float32)
        nibabel.save(nibabel.Nifti1Image(data, np.eye(4)), folder / f"scan{index}.nii.gz")
    manifest = folder / "prompts.csv"
    manifest.write_text("path,prompt\nscan0.nii.gz,a 4D series\nscan1.nii.gz,a 3D scan\n")
    params = PromptedMRIParams(
        root=str(folder),
        val_count=1,
        prompts=str(manifest),
        patch_size=8,
        patch_depth=8,
        val_patch_size=8,
        val_patch_depth=8,
        samples_per_epoch=4,
    )
    selector = PromptedMRISelector(3, 1, 2, params)
    assert selector.train_split[1] == ["scan0.nii.gz", "scan0.nii.gz"]  # two time points
    train = selector.train_dataset()
    assert {train[i]["metadata"]["prompt"] for i in range(len(train))} == {"a 4D series"}
    assert selector.val_dataset()[0]["metadata"]["prompt"] == "a 3D scan"


def test_a_missing_prompt_is_reported_when_the_spec_loads(tmp_path: Path) -> None:
    images = flat_images(tmp_path / "img", 3)
    for path in images[:2]:
        path.with_suffix(".txt").write_text("a prompt")
    params = params_for(tmp_path / "img")
    errors = params.check(BuildContext(spatial_dims=2, channels=3, scale=2))
    assert [error.key for error in errors] == ["prompts"]
    assert "img2.png" in errors[0].message
    images[2].with_suffix(".txt").write_text("the third")
    assert params.check(BuildContext(spatial_dims=2, channels=3, scale=2)) == []
    missing_folder = params_for(tmp_path / "nowhere")
    keys = [e.key for e in missing_folder.check(BuildContext(2, 3, 2))]
    assert "prompts" not in keys  # the folder problem comes first, alone
