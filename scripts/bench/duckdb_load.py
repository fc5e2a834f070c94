"""Times DuckDB loading a CSV into a table of a file database: CREATE TABLE t AS SELECT * FROM read_csv(FILE).

The timed part is the statement only (not the interpreter start or the connect); `seconds_with_checkpoint` adds an
explicit CHECKPOINT (the table written into the database file). Prints one JSON line.

usage: python duckdb_load.py FILE.csv DB_FILE
"""

import json
import os
import sys
import time

import duckdb


def main() -> None:
    csv_path, db_path = sys.argv[1], sys.argv[2]
    for p in (db_path, db_path + ".wal"):
        if os.path.exists(p):
            os.remove(p)
    con = duckdb.connect(db_path)
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    mode = "default"
    t = time.perf_counter()
    try:
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv_path}')")
    except duckdb.Error as e:  # a value the type sniffer did not foresee
        print(f"read_csv with sniffed types failed ({e}); retrying with all_varchar=true", file=sys.stderr)
        con.execute("DROP TABLE IF EXISTS t")
        mode = "all_varchar"
        t = time.perf_counter()
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv_path}', all_varchar=true)")
    elapsed = time.perf_counter() - t
    con.execute("CHECKPOINT")
    with_checkpoint = time.perf_counter() - t
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    types = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 't'").fetchall()
    con.close()
    print(
        json.dumps(
            {
                "seconds": round(elapsed, 3),
                "seconds_with_checkpoint": round(with_checkpoint, 3),
                "rows": rows,
                "threads": threads,
                "mode": mode,
                "duckdb": duckdb.__version__,
                "db_bytes": os.path.getsize(db_path),
                "types": {c: ty for c, ty in types},
            }
        )
    )


if __name__ == "__main__":
    main()
