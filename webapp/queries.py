"""Query helpers shared by the domains."""
from webapp.extensions import db


def distinct_values(column, *criteria) -> list:
    """The distinct values of an indexed column, in order, in one statement that probes the
    index once per value (a loose index scan as a recursive query): ``SELECT DISTINCT`` would read
    every row, and the tables that list a few dozen departments or actions hold 100,000s."""
    found = db.select(db.func.min(column).label("value")).where(*criteria).cte("found", recursive=True)
    following = db.select(db.func.min(column)).where(column > found.c.value, *criteria).scalar_subquery()
    found = found.union_all(db.select(following).where(found.c.value.is_not(None)))
    return list(db.session.scalars(db.select(found.c.value).where(found.c.value.is_not(None)).order_by(found.c.value)))
