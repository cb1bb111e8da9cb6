"""Database engines and sessions for SQLite (embedded default) and PostgreSQL (production).

SQLite notes (measured, see ../shared/tech-notes.md): pysqlite opens transactions lazily, so a
read-then-write is not isolated. We take transaction control ourselves: a write action starts
with ``BEGIN IMMEDIATE`` (see :func:`write_transaction`), so the write lock is taken before the
row is read and a concurrent writer waits (``busy_timeout``) instead of failing later with
"database is locked". Reads use a plain deferred ``BEGIN`` and, with WAL, never block writers.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, PendingRollbackError
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE_OPTION = "tdkt_write"
_IN_WRITE = "tdkt_in_write_transaction"  # session.info flag: an action's transaction is open
_OPENED_FOR_WRITE = "tdkt_opened_for_write"  # session.info flag: begin_write opened the transaction


def make_engine(url: str, *, echo: bool = False) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, echo=echo)
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_engine(url: str, *, echo: bool) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # One connection per process: SQLite has one writer anyway, and this kept p99 low.
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=1,
        max_overflow=0,
        pool_timeout=60,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        immediate = conn.get_execution_options().get(_WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def is_sqlite(engine_or_session: Engine | Session) -> bool:
    bind = engine_or_session.get_bind() if isinstance(engine_or_session, Session) else engine_or_session
    return bind.dialect.name == "sqlite"


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose changes are committed only by the action that owns it."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_transaction(session: Session) -> Iterator[None]:
    """The transaction of one action: commit at the end, roll back on any error.

    A read transaction left open by the caller is ended first, so the action reads the rows it
    changes inside its own (on SQLite: write-locked) transaction, never from an older snapshot.

    Called inside another action's write transaction (closing a ballot records each nomination's
    result through the nominations' own verbs), it joins that transaction under a SAVEPOINT:
    nothing is committed until the outer action commits, and a refused inner action is undone
    without undoing the outer one's earlier work."""
    if session.info.get(_IN_WRITE):
        with session.begin_nested():
            yield
        return
    continuing = session.in_transaction() and session.info.get(_OPENED_FOR_WRITE)  # see begin_write
    if session.in_transaction() and not continuing:
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("a write action must start with no pending changes in the session")
        # End the read transaction without expiring what the caller has loaded (a rollback would,
        # and the next attribute access would silently open a new transaction).
        try:
            session.commit()
        except (DBAPIError, PendingRollbackError):
            # The read broke (its connection died, e.g. the database restarted): there is nothing
            # to keep, so roll back and let the action connect again (or fail with 503). Without
            # this the commit raised PendingRollbackError, a 500 (found by tests/faults/test_outage).
            session.rollback()
    if not continuing:
        session.connection(execution_options={_WRITE_OPTION: True})
    session.info[_IN_WRITE] = True
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_IN_WRITE, None)
        session.info.pop(_OPENED_FOR_WRITE, None)


def begin_write(session: Session) -> None:
    """Open the session's transaction as a write transaction now (on SQLite: ``BEGIN IMMEDIATE``),
    for a request that reads a little (who is asking) and then acts: the action's
    :func:`write_transaction` then goes on in this transaction instead of ending a read
    transaction and beginning another (two statements fewer per action). What is read before
    the action is read under the write lock, so it cannot be stale either."""
    if session.in_transaction():
        raise RuntimeError("begin_write must come before the session's first statement")
    session.connection(execution_options={_WRITE_OPTION: True})
    session.info[_OPENED_FOR_WRITE] = True


_engines: dict[str, Engine] = {}


def reset_default_engine() -> None:
    """Forget the process-wide engine and settings, e.g. after TDKT_DATABASE_URL changed."""
    from config.settings import get_settings

    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    get_settings.cache_clear()


def default_engine() -> Engine:
    """The process-wide engine for the configured database (created once)."""
    from config.settings import get_settings

    url = get_settings().database_url
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]
