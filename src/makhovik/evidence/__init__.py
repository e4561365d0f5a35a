"""The evidence layer: the archival record the model is scored against (targets, never inputs)."""

from .record import annual_record, event_record

__all__ = ["annual_record", "event_record"]
