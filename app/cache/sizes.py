"""How many bytes a cache entry holds in this worker's memory, as Python holds it (issue 19).

The in-process cache (app.cache.backends) is bounded by the sizes its entries are given. They were
measured by their pickled length where they are not plain text: an event page's main column (a tuple
of texts and its agenda's named tuples) pickles to ~11 kB for the ~28 kB its objects take, so a
worker held more than twice CACHE_MEMORY_MB of them. Here an entry is walked as the objects it holds:
each object's sys.getsizeof, each distinct object once, containers (tuple, list, dict, set, named
tuples) with their items, other objects with their attributes. What several entries share (small
integers, interned names, None) is counted in each: the sum errs on the large side, as a bound should.
"""

from __future__ import annotations

import sys
from types import FunctionType, ModuleType

_TEXT = (str, bytes, bytearray)  # (Markup is a str)
_LEAVES = (int, float, complex, bool, type(None)) + _TEXT
_SKIPPED = (type, ModuleType, FunctionType)  # shared by every entry: not the entry's own memory
_MAX_OBJECTS = 100_000  # past this many objects the rest is guessed from the mean so far


def held(value) -> int:
    """The bytes `value` and the objects it reaches take (see the module's text)."""
    if isinstance(value, _TEXT):
        return sys.getsizeof(value)
    seen: set[int] = set()
    pending = [value]
    total = 0
    while pending:
        item = pending.pop()
        if id(item) in seen or isinstance(item, _SKIPPED):
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if len(seen) >= _MAX_OBJECTS:
            return total + len(pending) * (total // len(seen))
        if isinstance(item, _LEAVES):
            continue
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, tuple | list | set | frozenset):
            pending.extend(item)
        else:
            pending.extend(_attributes(item))
    return total


def _attributes(item) -> list:
    found = []
    attributes = getattr(item, "__dict__", None)
    if attributes is not None:
        found.append(attributes)  # the dict itself and what it holds
    for cls in type(item).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        for slot in (slots,) if isinstance(slots, str) else slots:
            if slot not in ("__dict__", "__weakref__"):
                value = getattr(item, slot, None)
                if value is not None:
                    found.append(value)
    return found
