"""Where new stations help most: maximal covering (MCLP) and least sites for a target share (LSCP).

Both solve on a sparse coverage model: one row per group of households that the same candidates cover
(buildings with identical candidate sets are one row, so a county's 20,000 buildings become a few
thousand rows), one column per candidate, households already covered by existing stations left out
(existing stations stay where they are). PuLP writes the model and CBC, which ships inside PuLP's wheel,
solves it to optimality. A greedy answer is computed beside it: planners understand "add the site that
covers most, repeat", and the gap between the two shows what optimisation buys.

LSCP here is the partial form planners ask for: the fewest new sites so that a target share of all
households is covered (100 % would often be impossible: a hamlet far up a valley).
"""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pulp
from scipy.sparse import csr_array

SOLVER_SECONDS = 120  # CBC's time limit; the answer is then the best found and says it is not proven optimal


@dataclass
class CoverageModel:
    """rows: groups of uncovered buildings; covers[r, c]: candidate c reaches group r in time."""

    covers: csr_array
    weight: np.ndarray  # households of each row
    count: np.ndarray  # buildings of each row


@dataclass
class Pick:
    candidate: int
    gain: int  # households newly covered when added in this order
    gain_count: int  # buildings newly covered


@dataclass
class Solution:
    method: str
    picks: list[Pick]
    covered: int  # households newly covered by all picks
    seconds: float
    optimal: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def candidates(self) -> list[int]:
        return [p.candidate for p in self.picks]


def coverage_model(covers: csr_array, weight: np.ndarray) -> CoverageModel:
    """Drop rows no candidate covers and merge rows with the same candidates (sum their households)."""
    covers = csr_array(covers, dtype=bool)
    covers.sum_duplicates()
    covers.sort_indices()
    groups: dict[bytes, int] = {}
    row_of = np.full(covers.shape[0], -1)
    for r in range(covers.shape[0]):
        cols = covers.indices[covers.indptr[r]: covers.indptr[r + 1]]
        if len(cols) and weight[r] > 0:
            row_of[r] = groups.setdefault(cols.tobytes(), len(groups))
    kept = np.flatnonzero(row_of >= 0)
    merged_weight = np.bincount(row_of[kept], weight[kept], minlength=len(groups)).astype(np.int64)
    merged_count = np.bincount(row_of[kept], minlength=len(groups)).astype(np.int64)
    rows, cols = [], []
    for key, r in groups.items():
        c = np.frombuffer(key, dtype=covers.indices.dtype)
        rows.append(np.full(len(c), r))
        cols.append(c)
    data = (np.ones(sum(map(len, cols)), dtype=bool),
            (np.concatenate(rows) if rows else np.zeros(0, int), np.concatenate(cols) if cols else np.zeros(0, int)))
    return CoverageModel(csr_array(data, shape=(len(groups), covers.shape[1])), merged_weight, merged_count)


def order_picks(model: CoverageModel, chosen: list[int]) -> list[Pick]:
    """`chosen` in the order of largest marginal gain first, with each one's gain in that order."""
    covered = np.zeros(model.covers.shape[0], dtype=bool)
    columns = model.covers.tocsc()
    remaining, picks = list(chosen), []
    while remaining:
        gains = [(int(model.weight[_rows(columns, c)][~covered[_rows(columns, c)]].sum()), -c) for c in remaining]
        gain, negative = max(gains)
        c = -negative
        rows = _rows(columns, c)
        picks.append(Pick(c, gain, int(model.count[rows][~covered[rows]].sum())))
        covered[rows] = True
        remaining.remove(c)
    return picks


def _rows(columns, c: int) -> np.ndarray:
    return columns.indices[columns.indptr[c]: columns.indptr[c + 1]]


def greedy(model: CoverageModel, sites: int | None = None, target: int | None = None) -> Solution:
    """Add the candidate covering most uncovered households, `sites` times or until `target` households."""
    started = time.perf_counter()
    columns = model.covers.tocsc()
    uncovered = model.weight.astype(np.float64).copy()
    picks: list[Pick] = []
    total = 0
    while (sites is None or len(picks) < sites) and (target is None or total < target):
        gains = model.covers.T @ uncovered
        best = int(np.argmax(gains)) if len(gains) else -1
        if best < 0 or gains[best] <= 0:
            break
        rows = _rows(columns, best)
        fresh = rows[uncovered[rows] > 0]
        picks.append(Pick(best, int(uncovered[fresh].sum()), int(model.count[fresh].sum())))
        total += picks[-1].gain
        uncovered[rows] = 0
    return Solution("greedy", picks, total, time.perf_counter() - started)


def _solve(problem: pulp.LpProblem, seconds: float) -> tuple[bool, float]:
    started = time.perf_counter()
    with warnings.catch_warnings():  # PuLP 4 (Python 3.12+) wants CBC installed apart; 3.3 still bundles it
        warnings.simplefilter("ignore", DeprecationWarning)
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=seconds, threads=1)
    problem.solve(solver)
    optimal = pulp.LpStatus[problem.status] == "Optimal" and problem.sol_status == pulp.LpSolutionOptimal
    return optimal, time.perf_counter() - started


def _variables(problem: pulp.LpProblem, model: CoverageModel) -> tuple[dict, list]:
    """x[c]: candidate c is opened (only candidates covering someone); y[r]: row r is covered."""
    useful = np.flatnonzero(np.asarray(model.covers.sum(axis=0)).ravel() > 0)
    x = {int(c): problem.add_variable(f"x{c}", cat=pulp.LpBinary) for c in useful}
    y = [problem.add_variable(f"y{r}", lowBound=0, upBound=1) for r in range(model.covers.shape[0])]
    return x, y


def _coverage_constraints(problem: pulp.LpProblem, model: CoverageModel, x: dict, y: list) -> None:
    for r in range(model.covers.shape[0]):
        cols = model.covers.indices[model.covers.indptr[r]: model.covers.indptr[r + 1]]
        problem += y[r] <= pulp.lpSum(x[int(c)] for c in cols)


def mclp(model: CoverageModel, sites: int, seconds: float = SOLVER_SECONDS) -> Solution:
    """At most `sites` new stations covering the most uncovered households (y continuous: with binary x
    an optimal y is 0/1 anyway, and CBC branches on x only)."""
    problem = pulp.LpProblem("mclp", pulp.LpMaximize)
    x, y = _variables(problem, model)
    if not x or sites <= 0:
        return Solution("mclp", [], 0, 0.0)
    problem += pulp.lpSum(float(w) * v for w, v in zip(model.weight, y))
    _coverage_constraints(problem, model, x, y)
    problem += pulp.lpSum(x.values()) <= sites
    optimal, elapsed = _solve(problem, seconds)
    chosen = [c for c, v in x.items() if (v.value() or 0) > 0.5]
    picks = order_picks(model, chosen)
    return Solution("mclp", picks, sum(p.gain for p in picks), elapsed, optimal)


def lscp(model: CoverageModel, target: int, seconds: float = SOLVER_SECONDS) -> Solution:
    """The fewest new stations covering at least `target` more households (capped at what any number of
    candidates can cover, with a note saying so)."""
    notes = []
    reachable = int(model.weight.sum())
    if target > reachable:
        notes.append(f"目标需新增覆盖 {target} 户，候选点最多能覆盖 {reachable} 户，按后者计算")
        target = reachable
    if target <= 0:
        return Solution("lscp", [], 0, 0.0, notes=notes)
    problem = pulp.LpProblem("lscp", pulp.LpMinimize)
    x, y = _variables(problem, model)
    problem += pulp.lpSum(x.values())
    _coverage_constraints(problem, model, x, y)
    problem += pulp.lpSum(float(w) * v for w, v in zip(model.weight, y)) >= target
    optimal, elapsed = _solve(problem, seconds)
    chosen = [c for c, v in x.items() if (v.value() or 0) > 0.5]
    picks = order_picks(model, chosen)
    return Solution("lscp", picks, sum(p.gain for p in picks), elapsed, optimal, notes)
