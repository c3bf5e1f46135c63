"""A watched table's change counter: one row in change_stamps, and more in change_stamps_shards
when concurrent writers moved it (app.cache.stamps)."""

from __future__ import annotations

from sqlalchemy import BigInteger, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class ChangeStamp(db.Model):
    __tablename__ = "change_stamps"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class ChangeStampShard(db.Model):
    """More rows of a table's counter (shards 1 and up; change_stamps is shard 0): a table's stamp
    is the sum of its rows, and concurrent writers move different rows (app.cache.stamps)."""

    __tablename__ = "change_stamps_shards"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
