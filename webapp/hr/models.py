"""The roster stamp: one row whose value changes after every commit that wrote what the roster's
aggregates read (see webapp.hr.freshness)."""
from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db


class RosterStamp(db.Model):
    __tablename__ = "roster_stamps"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: A random value, new at each change: never repeats, even after the row is deleted.
    value: Mapped[int] = mapped_column(BigInteger)
