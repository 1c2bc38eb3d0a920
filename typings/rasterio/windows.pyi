# Minimal stub for rasterio.windows.
class Window:
    col_off: float
    row_off: float
    width: float
    height: float
    def __init__(self, col_off: float, row_off: float, width: float, height: float) -> None: ...
