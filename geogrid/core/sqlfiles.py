"""The database's hand-written functions, kept as versioned SQL files that migrations load.

A function the database runs (a trigger's PL/pgSQL, a helper it calls) is written once, in
`geogrid/<app>/sql/<name>.v<N>.sql`, and a migration loads it with `sql_file(app, "<name>.v<N>")`. A file is
never edited once a migration loads it: a new version is a new file and a new migration, so every migration,
old or new, keeps producing the database it always did (its reverse loads the previous version).

Where the SQL needs a value Python owns, the file holds a placeholder the loader fills from that one source:

- `{{ constant geogrid.core.tolerances.SLIVER_AREA_M2 }}`: a module constant (number or string) as an SQL literal;
- `{{ refuse <code>` then one `<name> => <SQL expression>` a line `}}`: the RAISE of the rule `<code>` in
  `geogrid.core.refusals.RULES` (its Chinese message, its code as DETAIL), each `{field}` of the message filled by
  the expression of that name; `errcode => <condition>` sets the SQLSTATE (`Rule.raise_sql`).

An unknown placeholder, a missing field (ValueError) or a constant of another type (TypeError) fails the migration
when it is loaded.
"""
import re
from importlib import import_module
from pathlib import Path

from geogrid.core.refusals import RULES, sql_literal

ROOT = Path(__file__).resolve().parent.parent  # the geogrid package
PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def sql_path(app: str, name: str) -> Path:
    return ROOT / app / "sql" / f"{name}.sql"


def sql_file(app: str, name: str) -> str:
    """The text of geogrid/<app>/sql/<name>.sql with its placeholders filled."""
    path = sql_path(app, name)
    return render(path.read_text(encoding="utf-8"), source=path.name)


def render(text: str, *, source: str) -> str:
    """SQL text with its placeholders filled (`source` names the file in errors)."""
    return PLACEHOLDER.sub(lambda match: _fill(match[1], source), text)


def sql_files(app: str, *names: str) -> str:
    """Several of an app's files, in order, as one script."""
    return "\n".join(sql_file(app, name) for name in names)


def _fill(placeholder: str, source: str) -> str:
    head, *lines = placeholder.strip().splitlines()
    kind, _, argument = head.strip().partition(" ")
    argument = argument.strip()
    if kind == "constant" and not lines:
        return _constant(argument, source)
    if kind == "refuse" and argument in RULES:
        expressions = dict(_named(line, source) for line in lines)
        return RULES[argument].raise_sql(**expressions)
    raise ValueError(f"{source}: unknown placeholder {{{{{placeholder}}}}}")


def _constant(dotted: str, source: str) -> str:
    module, _, name = dotted.rpartition(".")
    value = getattr(import_module(module), name)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"{source}: {dotted} is not a number or a string")
    return sql_literal(value) if isinstance(value, str) else repr(value)


def _named(line: str, source: str) -> tuple[str, str]:
    name, arrow, expression = line.partition("=>")
    if not arrow or not name.strip() or not expression.strip():
        raise ValueError(f"{source}: expected '<name> => <SQL expression>', got {line.strip()!r}")
    return name.strip(), expression.strip()
