"""Writes about departments: one at a time (`manage.py create_department`, the admin) or a file's worth (the
`departments` import target), through the same checks."""
from django.db import transaction

from geogrid.areas.models import Area
from geogrid.core.api import DomainError
from geogrid.departments.models import Department

TIER_OF_KIND = {Area.Kind.COUNTY: Department.Tier.DISTRICT,
                **dict.fromkeys(Area.STREET_KINDS, Department.Tier.TOWN)}


def department_refusal(*, code: str, area: Area | None, area_code: str, tier: str | None,
                       new: bool = True) -> DomainError | None:
    """Why a department cannot be created (or, not `new`, given this area and tier), or None: its code taken,
    its area unknown or not a county or street, its tier not the area's (a town-level section belongs to a
    street, a district department to a county)."""
    if new and Department.objects.filter(code=code).exists():
        return DomainError(f"部门代码 {code} 已存在", code="code_taken", field="code")
    if area is None:
        return DomainError(f"区划 {area_code} 不存在", code="unknown_area", field="area")
    if area.kind not in TIER_OF_KIND:
        return DomainError(f"部门属于街道/乡镇或县/区，{area.name} 是{area.get_kind_display()}",
                           code="area_kind", field="area")
    if tier and tier != TIER_OF_KIND[area.kind]:
        return DomainError(f"{area.name}（{area.get_kind_display()}）的部门层级应为"
                           f"{Department.Tier(TIER_OF_KIND[area.kind]).label}",
                           code="tier_mismatch", field="tier")
    return None


@transaction.atomic
def create_department(*, code: str, name: str, area_code: str, tier: str | None = None) -> Department:
    """A department of a street (town tier) or a county (district tier); the tier follows the area."""
    area = Area.objects.filter(code=area_code).first()
    refusal = department_refusal(code=code, area=area, area_code=area_code, tier=tier)
    if refusal is not None:
        raise refusal
    return Department.objects.create(code=code, name=name, area=area, tier=TIER_OF_KIND[area.kind])
