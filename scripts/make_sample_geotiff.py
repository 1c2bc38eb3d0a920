"""Write the built-in 4-band uint16 sample GeoTIFFs (R, G, B, synthetic NIR) into a folder.

The same files the ``sample_multispectral`` dataset uses: reflectance 1..10000 made from
scikit-image's photos, EPSG:32633 with 10 m pixels, nodata 0 in a corner of each scene.

    python scripts/make_sample_geotiff.py OUTPUT_FOLDER [--photos astronaut chelsea ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gan_engine.data.files import available_sample_photos
from gan_engine.data.rasters.sample_geotiffs import write_sample_geotiffs
from gan_engine.errors import GanEngineError


def main(argv: list[str] | None = None) -> int:
    """Write the scenes and list them; exit status 2 on a user error."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="where to write <photo>.tif files")
    parser.add_argument(
        "--photos",
        nargs="+",
        default=None,
        metavar="NAME",
        help=f"photos to convert (default: all of {', '.join(available_sample_photos())})",
    )
    args = parser.parse_args(argv)
    try:
        paths = write_sample_geotiffs(args.folder, args.photos)
    except GanEngineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
