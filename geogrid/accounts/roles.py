"""The roles a user of GeoGrid holds, as Django permission groups: created by a data migration
(`accounts.0004_role_groups`), given to users by `manage.py create_user --role` and the user admin page.

Each role: {"app_label.model": actions}. The street's grid centre keeps the street's data (the admin keeps
it to the street, geogrid.accounts.admin_scope); areas are view only, event categories are viewed to pick
one; nobody deletes, and scopes are for superusers only.
"""
from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class Role:
    key: str  # the --role value
    group: str  # the group's name
    scope: str  # what the user's scope must be: "street", "community" or "department"
    staff: bool  # may log in to the admin
    permissions: dict[str, tuple[str, ...]]


STREET_GROUP = "街道网格管理员"
COMMUNITY_GROUP = "社区网格管理员"
DEPARTMENT_GROUP = "部门工作人员"
WORKER_GROUP = "网格员"

ROLES: dict[str, Role] = {r.key: r for r in (
    Role("street", STREET_GROUP, "street", True, {
        "areas.area": ("view",), "events.eventcategory": ("view",), "imports.importjob": ("view", "add"),
        **dict.fromkeys(["grids.grid", "buildings.building", "staff.staffmember", "stations.servicestation",
                         "departments.department", "departments.businessgrid", "roads.road",
                         "roads.water"], ("view", "add", "change")),
        "adjustments.changerequest": ("view", "add", "approve"),  # the street's grid centre approves
        "events.event": ("view", "add", "review"),  # the street's centre reviews, dispatches, verifies
        "events.responsibility": ("view", "add", "change"),
        "circles.walkingnetwork": ("view", "change"), "circles.circlerun": ("view",),
        "circles.sitesuggestion": ("view",),
    }),
    Role("community", COMMUNITY_GROUP, "community", False, {
        # imports: a community's grid layer file, submitted as one change request (imports.proposals)
        "grids.grid": ("view",), "adjustments.changerequest": ("view", "add"), "imports.importjob": ("view", "add"),
        "events.event": ("view", "add")}),
    Role("department", DEPARTMENT_GROUP, "department", False, {
        "grids.grid": ("view",), "departments.businessgrid": ("view",), "events.event": ("view",),
        "instructions.instruction": ("view", "add")}),
    Role("worker", WORKER_GROUP, "community", False, {
        "grids.grid": ("view",), "buildings.building": ("view",), "events.event": ("view", "add")}),
)}


def install_role_groups_in_migration(apps, schema_editor=None) -> None:
    """A data migration's RunPython: the permissions now (Django creates them after all migrations, in
    post_migrate), then the groups, from the migration's historical models."""
    from django.contrib.auth.management import create_permissions

    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    install_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def install_role_groups(group_model, permission_model) -> dict[str, object]:
    """Each role's group holding exactly its permissions (created or reset: idempotent). Takes the models so
    a migration can pass its historical ones. Returns {role key: group}."""
    groups = {}
    for role in ROLES.values():
        group, _ = group_model.objects.get_or_create(name=role.group)
        wanted = Q()
        for label, actions in role.permissions.items():
            app_label, model = label.split(".")
            wanted |= Q(content_type__app_label=app_label, content_type__model=model,
                        codename__in=[f"{action}_{model}" for action in actions])
        found = list(permission_model.objects.filter(wanted))
        if len(found) != sum(map(len, role.permissions.values())):
            raise LookupError(f"角色 {role.group} 的某项权限不存在")
        group.permissions.set(found)
        groups[role.key] = group
    return groups
