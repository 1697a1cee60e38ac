"""Flask extensions, created unbound and attached in create_app()."""
import time

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)  # batch mode: SQLite cannot ALTER columns
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


def init_limiter(app) -> None:
    """Flask-Limiter, checking before a request only when some limit applies to every request.

    Its check before each request looks for limits that no view declares: the default and
    application-wide limits (``RATELIMIT_DEFAULT``, ``RATELIMIT_APPLICATION``), meta limits, limits
    put on a whole blueprint. A view declared with ``@limiter.limit`` or ``shared_limit`` checks
    its own in its wrapper. The app sets none of the former by default, so that check finds nothing
    to count on every page (≈5 % of a light page's CPU) and is left out; setting any of those
    brings it back. (Limits put on a blueprint would need it too: the app puts none.)
    """
    limiter.init_app(app)
    hooks = app.before_request_funcs[None]
    app_wide = any(app.config.get(name) for name in ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META"))
    if not app_wide and limiter._check_request_limit in hooks:  # absent when RATELIMIT_ENABLED is off
        hooks.remove(limiter._check_request_limit)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite as a server database: WAL lets readers run while one request writes, and
    synchronous=NORMAL (safe in WAL mode: a power cut may lose the last commits, never corrupts)
    spares an fsync per commit. Other databases are left alone."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def ping_after_idle(engine: Engine, idle_seconds: float | None) -> None:
    """Check a pooled connection with a round trip only when it has sat idle for ``idle_seconds``.

    ``pool_pre_ping`` pings on every checkout: one more round trip per request on PostgreSQL,
    although a connection that served a request a moment ago is almost never dead. Connections
    die while idle (server restart, a firewall or pooler dropping quiet sessions, idle timeouts),
    so pinging those before reuse keeps what pre-ping protects against; a dead connection is
    discarded and the pool connects afresh (``DisconnectionError``). ``pool_recycle`` (config.py)
    also replaces connections older than its limit. A connection killed between two busy
    requests still fails its next statement; webapp/outages.py then discards the pool and runs a
    GET/HEAD once more on a fresh connection (a write answers 503).
    ``idle_seconds=0`` pings on every checkout (as pool_pre_ping); None never pings.
    SQLite connections are files: they never go stale and are not pinged.
    """
    if idle_seconds is None or engine.dialect.name == "sqlite":
        return

    @event.listens_for(engine, "checkin")
    def _idle_since(dbapi_connection, connection_record):
        connection_record.info["hotline_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, connection_record, connection_proxy):
        idle_since = connection_record.info.get("hotline_idle_since")
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return  # a fresh connection, or one in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError(f"stale pooled connection: {error}") from error
