"""The data side of `make upgrade-test`.

snapshot DB FILE  every row of every table of the module (after_sales_*) and of its
                  columns on Odoo's tables, as a hash per row, into FILE
compare DB FILE [OLD_VERSION]
                  after the upgrade: every table, column and row is still there with the
                  same values (but write_date/write_uid and the stored fields the new
                  release computes differently, listed in RECOMPUTED), and the done
                  orders got the reliability facts the migration fills. Exits non-zero
                  and says what was lost or changed.
"""

import json
import sys
from collections import Counter

import psycopg2

# columns whose value the new release is allowed to change while upgrading
IGNORED = {"write_date", "write_uid"}
RECOMPUTED = {}
# tables of models the new release removes, allowed to go when they held no row: the
# screens of the warranty provision report no longer store what they show (19.0.1.1.0)
REMOVED_WHEN_EMPTY = {"after_sales_provision_report", "after_sales_provision_report_line"}


def tables(cr):
    cr.execute(
        """SELECT table_name, array_agg(column_name::text ORDER BY column_name)
             FROM information_schema.columns
            WHERE table_schema = 'public'
              AND table_name IN (SELECT table_name FROM information_schema.tables
                                  WHERE table_schema = 'public' AND table_type = 'BASE TABLE')
              AND (table_name LIKE 'after\\_sales\\_%%' OR column_name LIKE 'after\\_sales%%')
         GROUP BY table_name"""
    )
    return dict(cr.fetchall())


def rows(cr, table, columns):
    """{key: {column: value as text}}; the key is id, or the whole row for relation
    tables without one."""
    key = ["id"] if "id" in columns else columns
    values = [c for c in columns if c not in IGNORED]
    cr.execute(
        f"SELECT {', '.join(f'{c}::text' for c in key + values)} FROM {table}"  # noqa: S608
    )
    return {
        "|".join(map(str, row[: len(key)])): dict(zip(values, row[len(key) :], strict=True))
        for row in cr.fetchall()
    }


def snapshot(cr):
    return {
        table: {"columns": columns, "rows": rows(cr, table, columns)}
        for table, columns in tables(cr).items()
    }


def compare(cr, before):
    problems = []
    after_tables = tables(cr)
    checked = 0
    for table, old in before.items():
        if table not in after_tables:
            if table in REMOVED_WHEN_EMPTY and not old["rows"]:
                continue
            problems.append(f"table {table} is gone ({len(old['rows'])} rows)")
            continue
        gone = set(old["columns"]) - set(after_tables[table])
        if gone:
            problems.append(f"{table}: columns gone: {sorted(gone)}")
            continue
        new_rows = rows(cr, table, old["columns"])
        missing = set(old["rows"]) - set(new_rows)
        if missing:
            problems.append(f"{table}: {len(missing)} of {len(old['rows'])} rows lost")
        changed = Counter(
            column
            for key, values in old["rows"].items()
            if key in new_rows
            for column, value in values.items()
            if new_rows[key][column] != value and column not in RECOMPUTED.get(table, ())
        )
        for column, count in sorted(changed.items()):
            problems.append(f"{table}.{column}: changed in {count} of {len(old['rows'])} rows")
        checked += len(old["rows"])
    return problems, checked


def facts(cr):
    """Done orders without the facts the 19.0.1.1.0 migration fills."""
    cr.execute(
        """SELECT count(*), count(*) FILTER (WHERE kpi_fix_result IS NULL)
             FROM after_sales_order WHERE state = 'done'"""
    )
    return cr.fetchone()


def _before_facts(old_version):
    """Whether the release upgraded from predates the facts (19.0.1.1.0 stores them
    and its migration fills them); unknown counts as before."""
    try:
        return tuple(int(part) for part in old_version.split(".")) < (19, 0, 1, 1, 0)
    except ValueError:
        return True


def main():
    action, db, path = sys.argv[1:4]
    with psycopg2.connect(dbname=db) as conn, conn.cursor() as cr:
        if action == "snapshot":
            data = snapshot(cr)
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            total = sum(len(t["rows"]) for t in data.values())
            print(f"snapshot: {len(data)} tables, {total} rows")
            return
        with open(path, encoding="utf-8") as handle:
            before = json.load(handle)
        problems, checked = compare(cr, before)
        done, without = facts(cr)
        if not _before_facts(sys.argv[4] if len(sys.argv) > 4 else ""):
            # the release upgraded from stored the facts itself: nothing to fill
            without = 0
        if not done:
            problems.append("no done order to check the migration on")
        elif without:
            problems.append(f"{without} of {done} done orders have no first-time-fix fact")
    print(f"compared {checked} rows of {len(before)} tables; {done} done orders with their facts")
    for problem in problems:
        print("  PROBLEM:", problem)
    if problems:
        sys.exit(1)
    print("upgrade kept every record")


if __name__ == "__main__":
    main()
