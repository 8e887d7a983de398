"""The demo tickets' past: the workflow steps each one went through to reach its generated status.

The generator (`town.py`) gives every demo ticket a status that fits its age; this writes the steps behind
that status (accepted, dispatched with a deadline, signed for, fed back, verified, closed with a follow-up
answer), each a plausible while after the one before, so the lists, the timeline of a ticket and the score
dashboard show a working street rather than tickets that only were reported. Deterministic: one seeded
generator, tickets in their given order.
"""
from datetime import datetime, timedelta

import numpy as np

from geogrid.events.models import Event, EventTransition
from geogrid.workdays.selectors import WorkCalendar, add_working_days

S = Event.Status
PATH = (S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.HANDLING, S.FED_BACK, S.VERIFYING, S.CLOSED)
# (action, status reached, hours after the previous step: low, high)
STEPS = (
    ("accept", S.ACCEPTED, (0.5, 20)),
    ("dispatch", S.DISPATCHED, (0.2, 6)),
    ("start", S.HANDLING, (1, 40)),
    ("feed_back", S.FED_BACK, (8, 160)),
    ("verify", S.VERIFYING, (1, 20)),
    ("close", S.CLOSED, (1, 30)),
)
SATISFIED_SHARE = 0.88
NOTES = {"feed_back": "已按要求处置完毕", "close": "核查属实，群众满意", "return": "信息不全，退回补充",
         "coordinate": "已进入多方协调处置"}


def demo_history(events: list[Event], calendar: WorkCalendar, now: datetime, seed: int = 20261101) -> list[EventTransition]:
    """Set each ticket's level, deadline and closure from its steps; return every step (report first)."""
    rng = np.random.default_rng(seed)
    transitions = []
    for event in events:
        at = event.reported_at
        steps = [EventTransition(event=event, action="report", to_status=S.REPORTED, at=at, note="演示数据")]
        if event.status == S.RETURNED:
            at = min(at + timedelta(hours=float(rng.uniform(1, 20))), now)
            steps.append(EventTransition(event=event, action="return", from_status=S.REPORTED, to_status=S.RETURNED,
                                         at=at, note=NOTES["return"]))
            event.level = 2
        else:
            reached = PATH.index(event.status)
            steps_taken = STEPS[:reached]
            if event.status == S.CLOSED and event.category.closes_on_coordination:  # disputes: closed once
                steps_taken = (STEPS[0], ("coordinate", S.CLOSED, (2, 48)))           # in coordinated handling
            previous = S.REPORTED
            for action, status, (low, high) in steps_taken:
                at = min(at + timedelta(hours=float(rng.uniform(low, high))), now)
                data = _effects(event, action, at, calendar, rng)
                steps.append(EventTransition(event=event, action=action, from_status=previous, to_status=status,
                                             at=at, note=NOTES.get(action, ""), data=data))
                previous = status
            if reached == 0:
                deadline = add_working_days(event.reported_at, event.category.accept_limit, calendar=calendar)
                event.due_at, event.due_estimated = deadline.at, deadline.estimated
        transitions += steps
    return transitions


def _effects(event: Event, action: str, at: datetime, calendar: WorkCalendar, rng: np.random.Generator) -> dict:
    """What the step does to the ticket (as `events.services` would), and the data it records."""
    category = event.category
    if action == "accept":
        event.level = 2
    elif action == "dispatch":
        deadline = add_working_days(at, category.handle_limit, calendar=calendar)
        event.due_at, event.due_estimated = deadline.at, deadline.estimated
        return {"department": event.department.code if event.department else None, "due_at": deadline.at.isoformat()}
    elif action == "feed_back":
        deadline = add_working_days(at, category.verify_limit, calendar=calendar)
        event.due_at, event.due_estimated = deadline.at, deadline.estimated
    elif action in ("close", "coordinate"):
        event.due_at, event.closed_at = None, at
        event.closure = Event.Closure.COORDINATION if category.closes_on_coordination else Event.Closure.RESOLVED
        if action == "coordinate":
            return {}
        event.satisfied = bool(rng.random() < SATISFIED_SHARE)
        return {"satisfied": event.satisfied}
    return {}
