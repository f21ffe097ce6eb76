"""SQL about server sessions, for the tests that make sessions wait for each other."""

from __future__ import annotations

#: Whether the session with the given server id (``Connection.connection_id``) waits for a
#: lock: ``[(0,)]`` if not. (MariaDB refreshes ``INNODB_TRX`` only when it was not read for
#: 0.1 s: poll it less often.)
WAITING = {
    "postgres": "SELECT COUNT(*) FROM pg_locks WHERE NOT granted AND pid = ?",
    "mysql": "SELECT COUNT(*) FROM information_schema.INNODB_TRX "
    "WHERE trx_mysql_thread_id = ? AND trx_state = 'LOCK WAIT'",
}
