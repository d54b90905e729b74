from .org import DataScope, Department, Role, StaffProfile

__all__ = ["DataScope", "Department", "Role", "StaffProfile"]
