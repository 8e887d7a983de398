"""The ticket workflow as a table: which action moves a ticket from which states to which, and who may take it.

Seed 003 (5th plan): report → the centre reviews (bad tickets returned) → dispatch to the responsible unit →
the unit handles within its limit (it may send back a ticket that is not its own, or ask for more time) →
the unit feeds back → the centre has the grid worker verify → closed, or dispatched again. Seed 002 adds the
three levels (settled in the grid, the street centre, the district centre) and closing petitions and disputes
once they enter coordinated handling. Plain data, so the table is the documentation; `services.transition`
enforces it.
"""
from dataclasses import dataclass

from geogrid.core.api import DomainError
from geogrid.events.models import Event

S = Event.Status
OPEN = frozenset({S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.HANDLING, S.FED_BACK, S.VERIFYING})
# A ticket is placed while the centre still reviews or holds it; once dispatched, the unit works from its place.
PLACEABLE = frozenset({S.REPORTED, S.ACCEPTED})

# Who takes an action: the street's grid centre (permission events.review_event within its area), the unit
# the ticket is dispatched to, or a grid worker of the place (anyone whose area covers it, the reporter too).
CENTRE, DEPARTMENT, WORKER = "centre", "department", "worker"


@dataclass(frozen=True)
class Action:
    label: str
    sources: frozenset[str]
    target: str | None  # None: the status stays (escalation, extensions, re-categorising)
    roles: frozenset[str]
    needs_note: bool = False
    params: frozenset[str] = frozenset()  # the StepParams fields the action reads (services.StepParams)


ACTIONS: dict[str, Action] = {
    "accept": Action("受理", frozenset({S.REPORTED}), S.ACCEPTED, frozenset({CENTRE})),
    "return": Action("退回（不予受理）", frozenset({S.REPORTED}), S.RETURNED, frozenset({CENTRE}), needs_note=True),
    "merge": Action("合并重复工单", frozenset({S.REPORTED, S.ACCEPTED}), S.RETURNED, frozenset({CENTRE}),
                    params=frozenset({"into"})),
    "recategorise": Action("改变分类并重新分派", frozenset({S.REPORTED, S.ACCEPTED}), None, frozenset({CENTRE}),
                           needs_note=True, params=frozenset({"category"})),
    "dispatch": Action("派遣", frozenset({S.ACCEPTED}), S.DISPATCHED, frozenset({CENTRE}),
                       params=frozenset({"department"})),
    "start": Action("签收办理", frozenset({S.DISPATCHED}), S.HANDLING, frozenset({DEPARTMENT})),
    "send_back": Action("退回中心（非本单位职责）", frozenset({S.DISPATCHED, S.HANDLING}), S.ACCEPTED,
                        frozenset({DEPARTMENT}), needs_note=True),
    "request_extension": Action("申请延期", frozenset({S.HANDLING}), None, frozenset({DEPARTMENT}), needs_note=True,
                                params=frozenset({"days"})),
    "grant_extension": Action("批准延期", frozenset({S.HANDLING}), None, frozenset({CENTRE})),
    "feed_back": Action("办结反馈", frozenset({S.HANDLING}), S.FED_BACK, frozenset({DEPARTMENT}), needs_note=True),
    "verify": Action("派网格员核查", frozenset({S.FED_BACK}), S.VERIFYING, frozenset({CENTRE})),
    "close": Action("核查通过，办结", frozenset({S.VERIFYING}), S.CLOSED, frozenset({CENTRE, WORKER}),
                    params=frozenset({"satisfied"})),
    "redispatch": Action("核查不通过，重新派遣", frozenset({S.VERIFYING}), S.DISPATCHED, frozenset({CENTRE, WORKER}),
                         needs_note=True),
    "settle": Action("网格内自行处置", frozenset({S.REPORTED}), S.CLOSED, frozenset({WORKER}), needs_note=True),
    "coordinate": Action("进入协调处置（视为办结）", frozenset({S.ACCEPTED, S.DISPATCHED, S.HANDLING}), S.CLOSED,
                         frozenset({CENTRE}), needs_note=True),
    "escalate": Action("上报上一级中心", OPEN - {S.FED_BACK, S.VERIFYING}, None, frozenset({CENTRE, WORKER}),
                       needs_note=True),
}


class TransitionError(DomainError):
    """An action that is not allowed now: the API answers it with its code (400, or 403 `not_your_role`)."""

    code = "action_not_allowed"


def check(event: Event, action_name: str, roles: set[str], note: str) -> Action:
    """The action if this user (holding `roles` for this ticket) may take it now; TransitionError otherwise."""
    action = ACTIONS.get(action_name)
    if action is None:
        raise TransitionError(f"未知操作 {action_name}", code="unknown_action", field="action")
    if event.merged_into_id is not None:
        raise TransitionError(f"工单已合并至 #{event.merged_into_id}", code="ticket_merged")
    if event.status not in action.sources:
        raise TransitionError(f"“{event.get_status_display()}”状态的工单不能{action.label}",
                              code="action_not_allowed", field="action")
    if not roles & action.roles:
        raise TransitionError(f"您无权{action.label}此工单", code="not_your_role", status=403)
    if action.needs_note and not note.strip():
        raise TransitionError(f"{action.label}须填写说明", code="note_required", field="note")
    return action


def actions_for(event: Event, roles: set[str]) -> list[str]:
    """The actions this user could take on the ticket now (for buttons), notes aside."""
    if event.merged_into_id is not None:
        return []
    return [name for name, a in ACTIONS.items() if event.status in a.sources and roles & a.roles]
