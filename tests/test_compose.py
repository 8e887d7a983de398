"""The docker path (docker-compose.yml, Dockerfile, docker/) cannot run here: check it as `docker compose config`
would (interpolation, then the compose schema) and hold it to the production behaviour of the local path:
no default password, the app role no superuser, migrations and backups as the owner, healthchecks, backups."""
import fnmatch
import json
import os
import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# The official schema, vendored: github.com/compose-spec/compose-spec, schema/compose-spec.json at commit
# 170098ba07d9f53c383a41bfd4c5166b0a4529a6 (2026-06-23). `docker compose config` validates against the same file.
OFFICIAL_SCHEMA = ROOT / "tests" / "data" / "compose-spec.json"
SECRETS = {"POSTGRES_PASSWORD", "GEOGRID_OWNER_PASSWORD", "GEOGRID_APP_PASSWORD", "DJANGO_SECRET_KEY"}
ENV = {name: f"secret-{name.lower()}" for name in SECRETS}
LONG_RUNNING = {"db", "app", "worker", "backup"}
VARIABLE = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")

# What GeoGrid's compose file may use, as the compose specification defines it (a subset, closed: a misspelt
# key fails here as it would in `docker compose config`).
STRINGS = {"type": "array", "items": {"type": "string"}}
HEALTHCHECK = {"type": "object", "additionalProperties": False, "required": ["test"], "properties": {
    "test": {"oneOf": [{"type": "string"}, {"type": "array", "minItems": 2, "items": {"type": "string"},
                                            "prefixItems": [{"enum": ["CMD", "CMD-SHELL", "NONE"]}]}]},
    **{key: {"type": "string", "pattern": r"^\d+(ms|s|m|h)$"} for key in ("interval", "timeout", "start_period")},
    "retries": {"type": "integer", "minimum": 1}, "disable": {"type": "boolean"}}}
SERVICE = {"type": "object", "additionalProperties": False, "anyOf": [{"required": ["build"]}, {"required": ["image"]}],
           "properties": {
    "build": {"oneOf": [{"type": "string"}, {"type": "object", "additionalProperties": False, "properties": {
        "context": {"type": "string"}, "dockerfile": {"type": "string"}, "args": {"type": "object"}}}]},
    "image": {"type": "string"},
    "command": {"oneOf": [{"type": "string"}, STRINGS]}, "entrypoint": {"oneOf": [{"type": "string"}, STRINGS]},
    "environment": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean", "null"]}},
    "ports": STRINGS, "volumes": STRINGS, "user": {"type": "string"}, "working_dir": {"type": "string"},
    "depends_on": {"type": "object", "additionalProperties": {
        "type": "object", "additionalProperties": False, "required": ["condition"], "properties": {
            "condition": {"enum": ["service_started", "service_healthy", "service_completed_successfully"]},
            "restart": {"type": "boolean"}, "required": {"type": "boolean"}}}},
    "healthcheck": HEALTHCHECK,
    "restart": {"enum": ["no", "always", "on-failure", "unless-stopped"]},
    "stop_grace_period": {"type": "string"}, "read_only": {"type": "boolean"}, "tmpfs": STRINGS,
}}
COMPOSE_SUBSET = {"type": "object", "additionalProperties": False, "patternProperties": {"^x-": {}},
                  "required": ["services"], "properties": {
    "name": {"type": "string"},
    "services": {"type": "object", "additionalProperties": False,
                 "patternProperties": {"^[a-zA-Z0-9._-]+$": SERVICE}},
    "volumes": {"type": "object", "additionalProperties": False,
                "patternProperties": {"^[a-zA-Z0-9._-]+$": {"type": ["object", "null"]}}},
}}


class InterpolationError(Exception):
    pass


def interpolate(value, env: dict[str, str]):
    """Compose's variable substitution: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $$."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        if match[0] == "$$":
            return "$"
        name, op, arg = match["name"], match["op"], match["arg"]
        current = env.get(name)
        unset = current is None or (current == "" and op and op.startswith(":"))
        if op and op.endswith("?") and unset:
            raise InterpolationError(f"{name}: {arg}")
        if op and op.endswith("-") and unset:
            return arg
        return current or ""

    return VARIABLE.sub(substitute, value)


def variables(text: str) -> dict[str, set[str]]:
    """Each variable the compose file references, with the operators it is referenced with ('' for none)."""
    found: dict[str, set[str]] = {}
    for match in VARIABLE.finditer(text):
        if match["name"]:
            found.setdefault(match["name"], set()).add(match["op"] or "")
    return found


@pytest.fixture(scope="module")
def text() -> str:
    return (ROOT / "docker-compose.yml").read_text()


@pytest.fixture(scope="module")
def compose(text) -> dict:
    return interpolate(yaml.safe_load(text), ENV)


def dockerfile(path: str) -> str:
    return (ROOT / path).read_text()


def test_every_secret_is_required_and_has_no_default(text):
    referenced = variables(text)
    assert SECRETS <= set(referenced)
    for name, operators in referenced.items():
        if re.search("PASSWORD|SECRET|KEY$", name):
            assert operators == {":?"}, f"{name} must be required with ${{{name}:?...}} everywhere"
    raw = yaml.safe_load(text)
    for secret in SECRETS:
        with pytest.raises(InterpolationError, match=secret):
            interpolate(raw, {name: value for name, value in ENV.items() if name != secret})
        with pytest.raises(InterpolationError, match=secret):
            interpolate(raw, {**ENV, secret: ""})


def official_schema() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads(OFFICIAL_SCHEMA.read_text()))


def test_the_rendered_file_follows_the_compose_schema(compose):
    jsonschema.Draft202012Validator(COMPOSE_SUBSET).validate(compose)
    official_schema().validate(compose)


@pytest.mark.parametrize("broken", [
    {"services": {"app": {"build": ".", "helthcheck": {"test": ["CMD", "true"]}}}},  # a misspelt key
    {"services": {"app": {"build": ".", "ports": "8000:8000"}}},  # a string where the spec wants a list
    {"services": {"app": {"build": ".", "depends_on": {"db": {"condition": "service_ready"}}}}},
])
def test_a_broken_file_is_refused_by_both_schemas(broken):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(COMPOSE_SUBSET).validate(broken)
    with pytest.raises(jsonschema.ValidationError):
        official_schema().validate(broken)


def test_dependencies_volumes_and_healthchecks(compose):
    services = compose["services"]
    assert LONG_RUNNING | {"migrate"} == set(services)
    for name, service in services.items():
        for target, dependency in service.get("depends_on", {}).items():
            assert target in services, f"{name} depends on an unknown service {target}"
            if dependency["condition"] == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits for {target}'s health, which has no check"
            if dependency["condition"] == "service_completed_successfully":
                assert services[target].get("restart") == "no", f"{target} is a one-shot: it must not restart"
        named = {volume.split(":")[0] for volume in service.get("volumes", []) if not volume.startswith((".", "/"))}
        assert named <= set(compose["volumes"]), f"{name} mounts undeclared volumes {named - set(compose['volumes'])}"
        build = service.get("build")
        if build is None:  # the database: the stock image, no build
            assert service["image"].startswith("postgis/postgis:"), f"{name} neither builds nor uses PostGIS"
            continue
        context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
        assert (context / ("Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile"))).is_file()
    for name in LONG_RUNNING:
        assert "healthcheck" in services[name], f"{name} has no healthcheck"
        assert services[name]["restart"] == "unless-stopped"
    for name in ("app", "worker", "backup"):
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    mounted = {volume.split(":")[0] for service in services.values() for volume in service.get("volumes", [])}
    assert mounted - set(compose["volumes"]) == {"./docker/initdb.d"}  # the one bind mount: the roles script
    assert set(compose["volumes"]) == {"pgdata", "media", "backups"} <= mounted
    image_backup_dir = re.search(r"GEOGRID_BACKUP_DIR=(\S+)", dockerfile("Dockerfile"))[1]
    assert f"backups:{image_backup_dir}" in services["backup"]["volumes"]
    assert "media:/app/var/media" in services["backup"]["volumes"]


def role(url: str) -> str:
    return urlsplit(url).username


def test_the_app_connects_as_a_role_that_is_no_superuser(compose):
    services = compose["services"]
    superuser = services["db"]["environment"]["POSTGRES_USER"]
    init = (ROOT / "docker" / "initdb.d" / "20-geogrid-roles.sh").read_text()
    created = dict(re.findall(r"CREATE ROLE (\w+) LOGIN (NO)?SUPERUSER", init))
    assert created == {"geogrid_owner": "NO", "geogrid": "NO"}
    assert "./docker/initdb.d:/docker-entrypoint-initdb.d:ro" in services["db"]["volumes"]
    for name in ("app", "worker"):
        env = services[name]["environment"]
        assert role(env["DATABASE_URL"]) == "geogrid" != superuser
        assert "DATABASE_OWNER_URL" not in env and env.get("GEOGRID_DB_ROLE", "app") == "app"
    for name in ("migrate", "backup"):
        env = services[name]["environment"]
        assert env["GEOGRID_DB_ROLE"] == "owner"
        assert role(env["DATABASE_OWNER_URL"]) == "geogrid_owner" != superuser
        assert role(env["DATABASE_URL"]) == "geogrid"  # whose grants the owner applies after migrate
    for name, service in services.items():
        for key, value in service.get("environment", {}).items():
            if key.endswith("_URL") and str(value).startswith("postgis://"):
                assert role(value) != superuser, f"{name} connects as the superuser"


def commands(compose) -> list[list[str]]:
    found = []
    for service in compose["services"].values():
        command = service.get("command")
        if isinstance(command, list) and command[:2] == ["sh", "-c"]:
            found += [shlex.split(part) for part in command[2].split("&&")]
        elif command:
            found.append(command if isinstance(command, list) else shlex.split(command))
        test = service.get("healthcheck", {}).get("test", [])
        if test and test[0] == "CMD":
            found.append(test[1:])
    image = dockerfile("Dockerfile")
    for instruction in ("CMD", "HEALTHCHECK.*CMD", "ENTRYPOINT"):
        for match in re.finditer(rf"^{instruction} (\[.*\])$", image, re.M):
            found.append(json.loads(match[1]))
    return found


def test_every_command_and_script_exists(compose):
    from django.core.management import get_commands

    management = get_commands()
    checked = commands(compose)
    assert ["docker/gunicorn.sh"] in checked and ["python", "manage.py", "backup", "--nightly"] in checked
    for argv in checked:
        if argv[:2] == ["python", "manage.py"]:
            assert argv[2] in management, f"no management command {argv[2]}"
        script = next((part for part in argv if part.startswith("docker/")), None)
        if script:
            assert (ROOT / script).is_file(), f"{script} is missing"
            if argv[0] == script:
                assert os.access(ROOT / script, os.X_OK), f"{script} is not executable"
    assert os.access(ROOT / "docker" / "initdb.d" / "20-geogrid-roles.sh", os.X_OK)
    # The app image carries pg_dump/pg_restore/psql of the server's major version for backup and restore.
    assert "postgresql-client-15" in dockerfile("Dockerfile") and compose["services"]["db"]["image"].startswith("postgis/postgis:15-")


def test_the_image_installs_only_the_servers_requirements_and_leaves_tests_out():
    image = dockerfile("Dockerfile")
    installs = re.findall(r"pip install[^\n]*", image)
    assert installs and all("-r requirements/base.txt" in line for line in installs), installs
    assert "-r " not in (ROOT / "requirements" / "base.txt").read_text()  # base includes no other file
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]

    def left_out(path: str) -> bool:  # Docker's matching for these plain patterns: the path or a parent matches
        parts = path.split("/")
        return any(fnmatch.fnmatch("/".join(parts[:n]), pattern) for pattern in ignored for n in range(1, len(parts) + 1))

    assert left_out("tests/test_compose.py") and left_out("scripts/bench/circles.py")
    assert left_out("requirements/test.txt") and not left_out("requirements/base.txt")
    assert not left_out("geogrid/settings/production.py") and not left_out("scripts/serve.sh")
