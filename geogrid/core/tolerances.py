"""The sliver tolerance: how small a piece of boundary disagreement is noise rather than an error, in one place.

A piece (a grid's overhang out of its community or parent, a gap or overlap between grids, a cut-off part of a
building) is a *sliver* when its area is under `SLIVER_AREA_M2` or its mean width (2 x area / perimeter) under
`SLIVER_WIDTH_M`. Two sides use the same numbers:

- the database's containment trigger (`grids_containment_tolerance()`, geogrid/grids/sql/containment_tolerance.v1.sql,
  whose placeholders name these constants; grids migration 0008 loads it) refuses an
  overhang only when it is larger *and* wider than these, unless a database sets its own
  (`ALTER DATABASE ... SET geogrid.containment_tolerance_m2 = '2'` / `geogrid.containment_sliver_width_m`);
- `coverage.SizingRules.sliver_tolerance_m2` / `sliver_width_m` default to them (a county's rule set may
  differ), so the coverage check calls "sliver" exactly what the trigger lets through.

Why 1 m² and not the 5 m² `SizingRules` had: the width test already absorbs reprojection slivers (square metres
along a long edge, no wider than a hair); what the area test must still let through is a small, wide speck of
floating-point or snapping noise, and the trigger has refused anything over 1 m² since the first migration
(README "Rules the database enforces"). 5 m² made the coverage check file as noise overhangs that the database
refuses to store; lowering the database's guard to 5 m² instead would let through, on every existing database,
a solid 2 m x 2 m bite into a neighbouring community. On the demo town no problem lies between 1 and 5 m².

Changing a number here needs a grids migration that loads the trigger's defaults again and a coverage
migration for the field defaults (tests/test_db_refusals.py compares the database's values with these).
"""

SLIVER_AREA_M2 = 1.0
SLIVER_WIDTH_M = 0.05
