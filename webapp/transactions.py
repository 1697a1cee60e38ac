"""Requests that only read run without BEGIN … ROLLBACK on PostgreSQL.

Every signed-in page reads (the user at least); wrapped in a transaction that costs two more round
trips to the server per request — BEGIN before the first statement, ROLLBACK at the end — a large
share of a light page's server CPU, and buys a GET nothing: under READ COMMITTED, PostgreSQL's
default and the app's, each statement takes its own snapshot inside a transaction as well.

So the connection a GET or HEAD request's session takes runs in autocommit, and turns
transactional again right before the first statement that is not a plain SELECT — an INSERT,
UPDATE or DELETE, a SELECT … FOR UPDATE / FOR SHARE, a streamed (server-side cursor) read, any
text or driver-level SQL such as an advisory lock: psycopg then sends BEGIN before that
statement and the session commits or rolls back as usual. Writes made during a GET (an overdue
attempt graded when its page is opened, an account created at a single sign-on callback) keep
their atomicity and their locks; only the plain reads before the first write leave the
transaction, where they would have seen no other data. POST and other methods, the CLI and the
job workers are not touched, nor is SQLite (a file: no round trips to save).

Plain reads (webapp.queries.PlainRead) of such a request need no Session at all: until the
session begins, they run on a connection of their own, in autocommit as well (``reads_connection``).
"""
from flask import Flask, has_request_context, request
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.selectable import GenerativeSelect

READING_METHODS = ("GET", "HEAD")
_READING = "hotline_autocommit_reads"  # in the pooled connection's info: autocommit set by us
_READS_CONNECTION = "hotline.reads_connection"  # in the WSGI environ: the request's own, for plain reads


def init_app(app: Flask) -> None:
    app.teardown_request(lambda _error: discard_reads_connection())


@event.listens_for(Session, "after_begin")
def _read_in_autocommit(session, transaction, connection: Connection) -> None:
    """The session of a GET/HEAD request has just taken its connection: no BEGIN yet (psycopg
    sends it with the first statement), so reads can go without one."""
    if (connection.dialect.name != "postgresql" or not has_request_context()
            or request.method not in READING_METHODS or connection.info.get(_READING)):
        return
    _autocommit(connection)


def _autocommit(connection: Connection) -> None:
    driver = connection.connection.driver_connection
    if driver.info.transaction_status == TransactionStatus.IDLE:
        driver.autocommit = True
        connection.info[_READING] = True


def reads_connection(session: Session) -> Connection:
    """The connection a plain read runs on. A GET or HEAD on PostgreSQL whose session has not begun
    takes one from the pool for its plain reads, in autocommit like the session's would be, kept
    until the request ends: no Session and transaction objects to build and close on a page that
    only reads (≈15 % of the attempt page's CPU). Once the session has begun (an ORM read, a
    write), and for every other request, the session's connection serves, so a plain read sees
    what the request wrote."""
    if not has_request_context() or request.method not in READING_METHODS or session.in_transaction():
        return session.connection()
    connection = request.environ.get(_READS_CONNECTION)
    if connection is None:
        engine = session.get_bind()
        if engine.dialect.name != "postgresql":
            return session.connection()
        connection = request.environ[_READS_CONNECTION] = engine.connect()
        _autocommit(connection)
    return connection


def discard_reads_connection(broken: bool = False) -> None:
    """Give the request's plain-reads connection back to the pool (at the end of the request), or
    throw it away when a statement on it failed (a retried request then takes a fresh one)."""
    connection = request.environ.pop(_READS_CONNECTION, None) if has_request_context() else None
    if connection is not None:
        if broken:
            connection.invalidate()
        connection.close()


@event.listens_for(Engine, "before_cursor_execute")
def _begin_before_writing(connection: Connection, cursor, statement, parameters, context, executemany) -> None:
    if connection.info.get(_READING) and not _plain_read(context):
        begin_transaction(connection)


def begin_transaction(connection: Connection) -> None:
    """Make the connection transactional again (its next statement opens a transaction). For
    statements that bypass SQLAlchemy's execution, such as a driver's named cursor."""
    if connection.info.pop(_READING, None):
        connection.connection.driver_connection.autocommit = False


def _plain_read(context) -> bool:
    """A compiled SELECT (or UNION …) that locks nothing, writes in none of its WITH clauses and
    reads through a client-side cursor."""
    compiled = getattr(context, "compiled", None)
    statement = getattr(compiled, "statement", None)
    return (isinstance(statement, GenerativeSelect) and statement._for_update_arg is None
            and not any(isinstance(cte.element, UpdateBase) for cte in compiled.ctes or ())
            and not context.execution_options.get("stream_results"))


@event.listens_for(Pool, "checkin")
def _transactional_again(dbapi_connection, connection_record) -> None:
    """A pooled connection goes back as the pool gave it: transactional. The reset on return has
    ended whatever the request left open; a connection still not idle is broken and replaced."""
    if not connection_record.info.pop(_READING, None) or dbapi_connection is None:
        return
    if dbapi_connection.info.transaction_status == TransactionStatus.IDLE:
        dbapi_connection.autocommit = False
    else:
        connection_record.invalidate()
