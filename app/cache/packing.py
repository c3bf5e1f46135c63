"""The change stamps' rows read in one statement (app.cache.stamps): summed by name, or packed in one
text that rides along another statement."""

from __future__ import annotations

from sqlalchemy import BigInteger, String, cast, func, literal_column, select, union_all

from app.cache.models import ChangeStamp, ChangeStampShard

TABLE = ChangeStamp.__table__
SHARD_TABLE = ChangeStampShard.__table__


def _rows(names):
    """The rows (all shards) of the stamps of `names` (an expression list or an expanding parameter).
    The list is written once, outside the UNION ALL (the database applies it to both tables, by
    their index when they are large): the signed-in user's statement stays under the 4 kB up to
    which psycopg keeps a statement's parsed form (it parsed the 5.5 kB one on every request)."""
    both = union_all(select(TABLE.c.name, TABLE.c.version), select(SHARD_TABLE.c.name, SHARD_TABLE.c.version)).subquery()
    return select(both.c.name, both.c.version).where(both.c.name.in_(names)).subquery()


def sums(names):
    """The stamps of `names` (an expression list or an expanding parameter), summed over shards."""
    rows = _rows(names)
    return select(rows.c.name, cast(func.sum(rows.c.version), BigInteger).label("version")).group_by(rows.c.name)


def packed(names, dialect_name: str):
    """The rows of the stamps of `names` as one text, "name version name version ..." (a name once
    per shard it has a row in: `unpack` adds them up). No GROUP BY and no JSON: the database's
    share of the signed-in user's statement fell by about half, and Python's split is as quick as
    json.loads. (Stamp names are table names, with "@*" or "@" and an event's id: never a space.)"""
    rows = _rows(names)
    pair = rows.c.name + literal_column("' '", String) + cast(rows.c.version, String)
    aggregate = func.string_agg if dialect_name == "postgresql" else func.group_concat
    return select(aggregate(pair, literal_column("' '", String))).scalar_subquery()


# unpack's answers by text: every signed-in request reads the same text until the next write, and
# adding up ~100 rows of shards cost ~45 µs a request. Few (the texts before a write are not read
# again), emptied when full; each caller gets its own copy.
_UNPACKED: dict[str, dict[str, int]] = {}
_UNPACKED_MAX = 16


def unpack(packed: str | None) -> dict[str, int]:
    """{name: stamp} of a text of `packed`: each name's rows (shards) added up."""
    if not packed:
        return {}
    found = _UNPACKED.get(packed)
    if found is None:
        found = _added_up(packed)
        if len(_UNPACKED) >= _UNPACKED_MAX:
            _UNPACKED.clear()
        _UNPACKED[packed] = found
    return dict(found)


def _added_up(packed: str) -> dict[str, int]:
    parts = packed.split(" ")
    names, versions = parts[::2], list(map(int, parts[1::2]))
    found = dict(zip(names, versions, strict=True))
    if len(found) != len(names):  # some stamps have rows in several shards
        found = dict.fromkeys(names, 0)
        for name, version in zip(names, versions, strict=True):
            found[name] += version
    return found


def packed_of(names: tuple[str, ...], dialect_name: str):
    """`packed` of the stamps named (table names, written into the statement as constants)."""
    return packed(tuple(literal_column("'" + name + "'") for name in names), dialect_name)
