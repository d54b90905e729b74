from .access import AccessEvent, AccessSubject

__all__ = ["AccessEvent", "AccessSubject"]
