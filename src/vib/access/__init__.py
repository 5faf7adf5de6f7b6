"""The only door to confidential objects.

Every confidential model has, in a module of this package, two functions:

* ``access_<thing>(*, user, id, request=None)`` — tenant first, then role; raises
  ``vib.core.errors.NotFound`` for a missing *and* for a forbidden object, and writes a
  *read* event to the audit log;
* ``<things>_visible_to(user, ...)`` — a queryset filtered in SQL, for lists.

Views and API modules never touch a model's manager themselves; ``tests/test_access_door.py``
fails the build when one does.
"""

from vib.access.organisations import (
    access_member,
    access_unit,
    members_visible_to,
    units_of_organisation,
    units_visible_to,
)

__all__ = [
    "access_member",
    "access_unit",
    "members_visible_to",
    "units_of_organisation",
    "units_visible_to",
]
