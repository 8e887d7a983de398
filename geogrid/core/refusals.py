"""Database refusals: the stable code and the Chinese message of every rule a trigger enforces, in one list.

A trigger refuses with `RAISE EXCEPTION '<中文说明>' ... USING DETAIL = '<code>'`: the message is Chinese with the
numbers that explain it (codes, names, m² of overhang) and DETAIL is the code alone, so psql, the server log and
Python all see both, and the SQLSTATE stays what it was (`check_violation` for the grid rules, `raise_exception`
for the guards). Every such RAISE is rendered from a `Rule` here: `grids_check_containment()` is written in
geogrid/grids/sql/check_containment.v3.sql with a `{{ refuse <code> ... }}` placeholder where each RAISE stands,
which the migration loading it fills from here (geogrid/core/sqlfiles.py), and `Protect` (the guards of
append-only and never-deleted tables) renders its trigger functions, so the codes Python knows and the codes the
database raises cannot drift apart (`tests/test_db_refusals.py` reads them back from the database). Changing a
grid rule's words therefore needs a grids migration that loads `grids_check_containment()` again (a database
migrated before keeps the words it was given; a fresh test database always has the new ones); a guard's words
change with `makemigrations`, which sees its trigger's new hash.

`refusal_of(error)` turns a DatabaseError (Django's, wrapping psycopg's) into the app's `{code, message}`:
the rule's code and the database's Chinese message for a trigger refusal, else a generic Chinese one.
"""
import logging
from dataclasses import dataclass
from string import Formatter
from typing import Any

import pgtrigger

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    """One refusal: its stable code, its Chinese message with `{field}`s, and the HTTP status it answers."""

    code: str
    template: str
    status: int = 400

    def fields(self) -> list[str]:
        return [name for _, name, _, _ in Formatter().parse(self.template) if name]

    def message(self, **values: Any) -> str:
        """The message in Python, as the trigger words it (e.g. for a check made before writing)."""
        return self.template.format(**values)

    def sql_format(self) -> str:
        """The message as RAISE's format string: each `{field}` a `%`, a literal `%` doubled."""
        return "".join(literal.replace("%", "%%") + ("%" if name else "")
                       for literal, name, _, _ in Formatter().parse(self.template))

    def raise_sql(self, *, errcode: str | None = None, **expressions: str) -> str:
        """The PL/pgSQL statement refusing with this rule, each `{field}` filled by the SQL expression given for it."""
        if set(expressions) != set(self.fields()):
            raise ValueError(f"{self.code}: expressions for {sorted(self.fields())}, got {sorted(expressions)}")
        args = "".join(", " + expressions[name] for name in self.fields())
        options = [f"DETAIL = {sql_literal(self.code)}"] + ([f"ERRCODE = {sql_literal(errcode)}"] if errcode else [])
        return f"RAISE EXCEPTION {sql_literal(self.sql_format())}{args} USING {', '.join(options)};"


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# ---- the grid rules (grids_check_containment, grids/sql/check_containment.v3.sql) ----------------------------
GRID_NOT_IN_COMMUNITY_AREA = Rule("grid_not_in_community_area", "网格 {grid} 所属区域 {area}（{area_code}）不是社区或村")
GRID_OUTSIDE_COMMUNITY = Rule("grid_outside_community",
                              "网格 {grid} 超出所属社区/村 {community}（{community_code}）{area_m2} m²")
GRID_PARENT_LEVEL = Rule("grid_parent_level",
                         "网格 {grid} 为 {level} 级，其上级网格 {parent} 为 {parent_level} 级（应为 {expected} 级）")
GRID_PARENT_OTHER_COMMUNITY = Rule("grid_parent_other_community", "网格 {grid} 与其上级网格 {parent} 不属于同一社区/村")
GRID_OUTSIDE_PARENT = Rule("grid_outside_parent", "网格 {grid} 超出上级网格 {parent} {area_m2} m²")

# ---- the guards (Protect below): `name` is the model's verbose name, `table` the table's -------------------
DELETE_PROTECTED = Rule("delete_protected", "{name}不可删除（表 {table}）", status=409)
UPDATE_PROTECTED = Rule("update_protected", "{name}不可修改（表 {table}）", status=409)
AUDIT_APPEND_ONLY = Rule("audit_append_only", "{name}只可追加，不可修改或删除（表 {table}）", status=409)

RULES: dict[str, Rule] = {rule.code: rule for rule in (
    GRID_NOT_IN_COMMUNITY_AREA, GRID_OUTSIDE_COMMUNITY, GRID_PARENT_LEVEL, GRID_PARENT_OTHER_COMMUNITY,
    GRID_OUTSIDE_PARENT, DELETE_PROTECTED, UPDATE_PROTECTED, AUDIT_APPEND_ONLY,
)}


class Protect(pgtrigger.Protect):
    """`pgtrigger.Protect` (a row-level trigger refusing the operation) with a rule's code and Chinese message
    instead of "pgtrigger: Cannot ... rows from % table". Same trigger otherwise: BEFORE, per row, lifted by
    `pgtrigger.ignore` for the owner role only (core/audit.py)."""

    def __init__(self, *, rule: Rule, **kwargs: Any) -> None:
        self.rule = rule
        super().__init__(**kwargs)
        if self.level != pgtrigger.Row:
            raise ValueError("Protect with a rule is row-level only")

    def get_func(self, model) -> str:
        return self.rule.raise_sql(name=sql_literal(str(model._meta.verbose_name)), table="TG_TABLE_NAME")


# ---- reading a refusal back --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Refusal:
    """A database refusal as the app answers it: `{code, message}` and the HTTP status."""

    code: str
    message: str
    status: int = 400


def _diagnostics(error: BaseException):
    """The psycopg diagnostics behind a Django DatabaseError (its cause), or None."""
    seen = error
    while seen is not None:
        diag = getattr(seen, "diag", None)
        if diag is not None:
            return diag
        seen = seen.__cause__ or seen.__context__
    return None


def rule_refusal(error: BaseException) -> Refusal | None:
    """The refusal of one of the triggers' rules, None for any other error."""
    diag = _diagnostics(error)
    rule = RULES.get(diag.message_detail or "") if diag is not None else None
    if rule is None:
        return None
    return Refusal(rule.code, diag.message_primary, rule.status)


# What a broken constraint means, by SQLSTATE (the constraint's name follows in the message).
CONSTRAINT_MESSAGES = {
    "23502": "缺少必填值",
    "23503": "其他数据仍在引用此记录，或引用的记录不存在",
    "23505": "与已有记录重复",
    "23514": "违反数据库检查约束",
    "23P01": "与已有记录冲突",
}


def refusal_of(error: BaseException, *, code: str = "refused_by_database") -> Refusal:
    """Any database error as `{code, message}`: a trigger's rule with its own code and message; otherwise
    `code` with what the broken constraint means and its name, or the SQLSTATE (the database's own English
    text goes to the log)."""
    refusal = rule_refusal(error)
    if refusal is not None:
        return refusal
    logger.warning("database refused: %s", str(error).strip())
    diag = _diagnostics(error)
    sqlstate = diag.sqlstate if diag is not None else None
    if sqlstate in CONSTRAINT_MESSAGES:
        name = diag.constraint_name or diag.column_name
        return Refusal(code, CONSTRAINT_MESSAGES[sqlstate] + (f"（{name}）" if name else ""))
    return Refusal(code, f"数据库拒绝了此操作（SQLSTATE {sqlstate or '未知'}）")
