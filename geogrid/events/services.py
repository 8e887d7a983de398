"""Writes of events. Routing grows with the events issue (departments, deadlines); for now an event
keeps a snapshot of the finest grid at its location."""
from geogrid.events.models import Event
from geogrid.locate.selectors import grid_refs_at


def route_to_grid(event: Event) -> Event:
    """Set the event's grid to the finest current grid covering its location (None outside coverage)."""
    refs, _ = grid_refs_at(event.location)
    event.grid_id = refs[0].id if refs else None
    return event
