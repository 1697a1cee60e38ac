"""The roster stamp: one row whose value changes after every commit that wrote what the roster's
aggregates read (see webapp.hr.freshness); the roster tallies that those aggregates add up
(see webapp.hr.tallies)."""
from datetime import date

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.certification.models import ID_LENGTH
from webapp.extensions import db


class RosterStamp(db.Model):
    __tablename__ = "roster_stamps"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: A random value, new at each change: never repeats, even after the row is deleted.
    value: Mapped[int] = mapped_column(BigInteger)


class RosterTallyDay(db.Model):
    """One row: the day the tallies count states on. Writers of tallies lock it (one at a time)."""

    __tablename__ = "roster_tally_days"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: None until the first count: the roster computes from the assignments meanwhile.
    day: Mapped[date | None]


class RosterTally(db.Model):
    """How many assignments of a department and post stand in a state on the tally day, by the
    local month their latest certificate was issued and the month it expires (None: none)."""

    __tablename__ = "roster_tallies"
    __table_args__ = (Index("ix_roster_tallies_department_post_id", "department", "post_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department: Mapped[str] = mapped_column(String(100))
    post_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    state: Mapped[str] = mapped_column(String(16))
    issued_month: Mapped[date | None]
    expires_month: Mapped[date | None]
    assignments: Mapped[int]
