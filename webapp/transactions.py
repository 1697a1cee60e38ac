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
"""
from flask import has_request_context, request
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.selectable import GenerativeSelect

READING_METHODS = ("GET", "HEAD")
_READING = "hotline_autocommit_reads"  # in the pooled connection's info: autocommit set by us


@event.listens_for(Session, "after_begin")
def _read_in_autocommit(session, transaction, connection: Connection) -> None:
    """The session of a GET/HEAD request has just taken its connection: no BEGIN yet (psycopg
    sends it with the first statement), so reads can go without one."""
    if (connection.dialect.name != "postgresql" or not has_request_context()
            or request.method not in READING_METHODS or connection.info.get(_READING)):
        return
    driver = connection.connection.driver_connection
    if driver.info.transaction_status == TransactionStatus.IDLE:
        driver.autocommit = True
        connection.info[_READING] = True


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
