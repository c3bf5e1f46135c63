"""A watched table's change counter, in a few rows (shards) so that concurrent writers do not all
update the same row: the table's stamp is the sum of its rows (app.cache.stamps)."""

from __future__ import annotations

from sqlalchemy import BigInteger, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class ChangeStamp(db.Model):
    __tablename__ = "change_stamps"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True, default=0, server_default="0")
    version: Mapped[int] = mapped_column(BigInteger, default=0)
