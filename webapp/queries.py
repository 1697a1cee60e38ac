"""Query helpers shared by the domains."""
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from flask import g
from sqlalchemy import exc

from webapp.extensions import db
from webapp.transactions import begin_transaction, discard_reads_connection, reads_connection


def distinct_values(column, *criteria) -> list:
    """The distinct values of an indexed column, in order, in one statement that probes the
    index once per value (a loose index scan as a recursive query): ``SELECT DISTINCT`` would read
    every row, and the tables that list a few dozen departments or actions hold 100,000s."""
    found = db.select(db.func.min(column).label("value")).where(*criteria).cte("found", recursive=True)
    following = db.select(db.func.min(column)).where(column > found.c.value, *criteria).scalar_subquery()
    found = found.union_all(db.select(following).where(found.c.value.is_not(None)))
    return list(db.session.scalars(db.select(found.c.value).where(found.c.value.is_not(None)).order_by(found.c.value)))


COUNT_CAP = 10_000  # a list says "more than 10,000" rather than count millions of rows


def capped_count(query, cap: int = COUNT_CAP) -> int:
    """How many rows the query matches, counting no further than cap + 1 (then: "more than cap")."""
    capped = query.with_only_columns(db.literal(1)).order_by(None).limit(cap + 1).subquery()
    return db.session.scalar(db.select(db.func.count()).select_from(capped))


class BoundedPage:
    """One page of a query without counting every match (a count over millions of rows costs more
    than the page): one more row than shown tells whether a next page exists; ``total`` is a
    capped count when asked for (``more_than``: the cap, when the count reached it). Offers what
    the templates use of Flask-SQLAlchemy's pagination (items, total, has_prev/has_next,
    prev_num/next_num)."""

    def __init__(self, query, page: int, per_page: int, count: bool = False):
        rows = list(db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)).unique())
        self.items, self.page = rows[:per_page], page
        self.has_prev, self.has_next = page > 1, len(rows) > per_page
        self.prev_num, self.next_num = page - 1, page + 1
        self.total = capped_count(query) if count else None
        self.more_than = COUNT_CAP if count and self.total > COUNT_CAP else None


def stream_tuples(query, batch_size: int):
    """The rows of a Core select as batches of plain tuples, memory flat. On PostgreSQL straight
    from a named (server-side) cursor of the driver: SQLAlchemy compiles the statement, and its
    per-row result machinery — a third of a large export's CPU — is skipped (psycopg already
    returns dates, times and numbers typed). Elsewhere through SQLAlchemy's streamed result."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        yield from connection.execution_options(yield_per=batch_size).execute(query).partitions(batch_size)
        return
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    begin_transaction(connection)  # a named cursor lives in a transaction (a GET reads without one)
    with connection.connection.driver_connection.cursor(name="stream_tuples") as cursor:
        cursor.execute(str(compiled), compiled.params)
        while rows := cursor.fetchmany(batch_size):
            yield rows


class _PlainReadContext(NamedTuple):
    """What cursor-event listeners read of a plain read's execution: its compiled SELECT (a plain
    read to webapp/transactions.py) and no execution options."""

    compiled: object
    execution_options: dict


class PlainRead:
    """A SELECT of plain columns (integers, text, booleans, timestamps, JSON cast to text) read as
    tuples, for what the hottest pages read on every request.

    On PostgreSQL it is compiled once and run straight through psycopg on the request's connection
    for reads (webapp/transactions.py ``reads_connection``: a GET's own in autocommit until its
    session begins, otherwise the session's, inside its transaction), while SQLAlchemy's execution
    context and result rows (≈0.1 ms a statement) are skipped; psycopg returns such columns as
    SQLAlchemy would. Cursor events still fire (the transaction guard, statement counters) and a
    driver error is raised as SQLAlchemy's (webapp/outages.py turns lost connections into 503s).
    Elsewhere (SQLite: no round trip to save) it runs as Core.
    """

    def __init__(self, select):
        self.select = select
        self._compiled = None

    def rows(self, **params) -> list[tuple]:
        connection = reads_connection(db.session())
        dialect = connection.dialect
        if dialect.name != "postgresql":
            return connection.execute(self.select, params).all()
        compiled = self._compiled
        if compiled is None or compiled.dialect is not dialect:
            compiled = self._compiled = self.select.compile(dialect=dialect)
        sql, values, context = compiled.string, {**compiled.params, **params}, _PlainReadContext(compiled, {})
        try:
            with connection.connection.driver_connection.cursor() as cursor:
                connection.dispatch.before_cursor_execute(connection, cursor, sql, values, context, False)
                cursor.execute(sql, values)
                rows = cursor.fetchall()
                connection.dispatch.after_cursor_execute(connection, cursor, sql, values, context, False)
        except dialect.loaded_dbapi.Error as error:
            discard_reads_connection(broken=True)
            raise exc.DBAPIError.instance(sql, values, error, dialect.loaded_dbapi.Error, dialect=dialect) from error
        return rows


@dataclass(frozen=True, eq=False)
class ReadAlong:
    """A view's plain read made in the signed-in user's statement (``access.reads_user_plainly``):
    one round trip for both. ``select()`` builds it: plain columns, the first never NULL, no ORDER
    BY (it is joined as a subquery: the view orders what it reads); ``params(view_args)`` gives its
    bind parameters from the view's arguments. The view takes the rows with ``rows_read_along``."""

    select: Callable[[], object]
    params: Callable[[dict], dict]


_ROWS_READ_ALONG = "hotline_rows_read_along"  # in g


def keep_rows_read_along(rows: list[tuple]) -> None:
    setattr(g, _ROWS_READ_ALONG, rows)


def rows_read_along() -> list[tuple] | None:
    """The rows read along with the user for this request's view, once; None when they were not
    (the ORM user, a test calling the service): the caller then reads them itself."""
    return g.pop(_ROWS_READ_ALONG, None)
