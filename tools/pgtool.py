"""Small PostgreSQL helper for the tools/*.sh scripts (uses psycopg2 from the venv).

The connection comes from the usual libpq variables (PGHOST, PGPORT, PGUSER,
PGPASSWORD), which tools/lib.sh exports. Commands:

    ping                      connect to the "postgres" database, print the role
    check-createdb            exit 1 unless the role is superuser or has CREATEDB
    db-exists DB              print "yes" or "no"
    module-state DB MODULE    print the module state, "nodb" or "absent"
    drop-db DB                drop the database (kicking out connections)
    ensure-role ROLE          create ROLE as a LOGIN SUPERUSER when missing
    port-free PORT            exit 0 when 127.0.0.1:PORT is free
    free-port START           print the first free TCP port >= START on 127.0.0.1
    pgserver-start DIR ROLE   start a private server with the pgserver package in DIR,
                              create ROLE, print "HOST PORT"
"""

import inspect
import socket
import sys


def _connect(dbname="postgres"):
    import psycopg2  # noqa: PLC0415 (only the commands that need it import it)

    return psycopg2.connect(dbname=dbname, connect_timeout=5)


def cmd_ping():
    with _connect() as conn, conn.cursor() as cr:
        cr.execute("SELECT current_user, version()")
        user, version = cr.fetchone()
    conn.close()
    print(f"{user} {version.split(',')[0]}")


def cmd_check_createdb():
    with _connect() as conn, conn.cursor() as cr:
        cr.execute("SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user")
        ok = cr.fetchone()[0]
    conn.close()
    return 0 if ok else 1


def cmd_db_exists(db):
    with _connect() as conn, conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,))
        found = cr.fetchone() is not None
    conn.close()
    print("yes" if found else "no")


def cmd_module_state(db, module):
    import psycopg2  # noqa: PLC0415

    with _connect() as conn, conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,))
        found = cr.fetchone() is not None
    conn.close()
    if not found:
        print("nodb")
        return
    try:
        conn = _connect(db)
    except psycopg2.OperationalError as exc:
        print(f"cannot connect to {db}: {exc}", file=sys.stderr)
        print("absent")
        return
    with conn, conn.cursor() as cr:
        cr.execute("SELECT to_regclass('ir_module_module') IS NOT NULL")
        if not cr.fetchone()[0]:
            print("absent")
            return
        cr.execute("SELECT state FROM ir_module_module WHERE name = %s", (module,))
        row = cr.fetchone()
    conn.close()
    print(row[0] if row else "absent")


def cmd_drop_db(db):
    from psycopg2 import sql  # noqa: PLC0415

    conn = _connect()
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (db,),
        )
        cr.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(db)))
    conn.close()


def cmd_ensure_role(role):
    from psycopg2 import sql  # noqa: PLC0415

    conn = _connect()
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        if cr.fetchone() is None:
            cr.execute(sql.SQL("CREATE ROLE {} LOGIN SUPERUSER").format(sql.Identifier(role)))
    conn.close()


def _port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as postgres does
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def cmd_port_free(port):
    return 0 if _port_free(int(port)) else 1


def cmd_free_port(start):
    for port in range(int(start), int(start) + 200):
        if _port_free(port):
            print(port)
            return 0
    print(f"no free port in {start}..{int(start) + 199}", file=sys.stderr)
    return 1


def cmd_pgserver_start(pgdata, role):
    import pathlib  # noqa: PLC0415

    import pgserver  # noqa: PLC0415
    import psycopg2  # noqa: PLC0415
    from psycopg2 import sql  # noqa: PLC0415

    path = pathlib.Path(pgdata)
    path.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server keeps running after this process exits
    server = pgserver.get_server(path, cleanup_mode=None)
    info = server.get_postmaster_info()
    host = str(info.socket_dir) if getattr(info, "socket_dir", None) else "127.0.0.1"
    port = int(getattr(info, "port", None) or 5432)
    conn = psycopg2.connect(dbname="postgres", user="postgres", host=host, port=port)
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        if cr.fetchone() is None:
            cr.execute(sql.SQL("CREATE ROLE {} LOGIN SUPERUSER").format(sql.Identifier(role)))
    conn.close()
    print(f"{host} {port}")


COMMANDS = {
    "ping": cmd_ping,
    "check-createdb": cmd_check_createdb,
    "db-exists": cmd_db_exists,
    "module-state": cmd_module_state,
    "drop-db": cmd_drop_db,
    "ensure-role": cmd_ensure_role,
    "port-free": cmd_port_free,
    "free-port": cmd_free_port,
    "pgserver-start": cmd_pgserver_start,
}


def main(argv):
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    func = COMMANDS[argv[0]]
    try:
        inspect.signature(func).bind(*argv[1:])
    except TypeError as exc:
        print(f"pgtool {argv[0]}: bad arguments ({exc})", file=sys.stderr)
        return 2
    try:
        return func(*argv[1:]) or 0
    except Exception as exc:  # noqa: BLE001 (report any connection error plainly)
        print(f"pgtool {argv[0]}: {type(exc).__name__}: {exc}".strip(), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
