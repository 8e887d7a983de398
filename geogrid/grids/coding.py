"""The grid coding rule (网格编码规则), read from configuration.

Default (GEOGRID_GRID_CODE_RULE): a level-1 grid is its community's 12-digit code + a 3-digit sequence, so
15 digits; a level-2 or level-3 grid is its parent's code + 3 digits. Inside each group grids are numbered in
reading order: rows of `row_height_m` from north to south, west to east inside a row ("rows"), or columns of
that width from west to east, north to south inside a column ("columns").
"""
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class CodeRule:
    sequence_digits: int = 3
    row_height_m: float = 500.0
    order: str = "rows"  # or "columns"

    def __post_init__(self) -> None:
        if self.order not in ("rows", "columns"):
            raise ValueError(f"GEOGRID_GRID_CODE_RULE order must be 'rows' or 'columns', not {self.order!r}")

    def code(self, prefix: str, sequence: int) -> str:
        return f"{prefix}{sequence:0{self.sequence_digits}d}"

    def sort_key(self, x: float, y: float, west: float, north: float) -> tuple[int, float]:
        """Reading order of a centroid (metres in the projected area CRS) inside an extent."""
        if self.order == "rows":
            return int((north - y) // self.row_height_m), x
        return int((x - west) // self.row_height_m), -y


def configured_rule() -> CodeRule:
    return CodeRule(**getattr(settings, "GEOGRID_GRID_CODE_RULE", {}))
