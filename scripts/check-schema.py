#!/usr/bin/env python3
"""Schema drift: the hand-written, portable Diesel schema
(crates/storage/src/schema.rs) against what `diesel print-schema` reads
from a database the migrations built.

    check-schema.py BACKEND PRINTED_SCHEMA

The committed schema uses only types both backends share, so the printed one
is read through the same names first (PostgreSQL's Int4 is Integer, Int8
BigInt, Timestamptz Timestamp). What the committed schema leaves out on
purpose is listed below; anything else that differs (a table, a column, its
type or whether it may be null) is drift, and the check fails.
"""

import re
import sys
from pathlib import Path

COMMITTED = Path(__file__).resolve().parent.parent / "crates/storage/src/schema.rs"

# Kept out of the portable schema: full-text search is raw SQL per backend.
NOT_MAPPED_TABLES = {
    "sqlite": {"messages_fts", "messages_fts_config", "messages_fts_data",
               "messages_fts_docsize", "messages_fts_idx"},
    "postgres": set(),
}
NOT_MAPPED_COLUMNS = {
    "sqlite": set(),
    "postgres": {("messages", "search")},
}
SAME_TYPE = {"Int4": "Integer", "Int8": "BigInt", "Int2": "SmallInt",
             "Varchar": "Text", "Timestamptz": "Timestamp", "Bytea": "Binary"}

TABLE = re.compile(r"diesel::table!\s*\{(.*?)\n\}", re.S)
HEAD = re.compile(r"^\s*(\w+)\s*\(([^)]*)\)\s*\{", re.M)
COLUMN = re.compile(r"^\s*(\w+)\s*->\s*([\w<>]+),", re.M)


def tables(text):
    """{table: (primary key columns, {column: (type, nullable)})}"""
    found = {}
    for body in TABLE.findall(text):
        head = HEAD.search(body)
        columns = {}
        for name, kind in COLUMN.findall(body[head.end():]):
            nullable = kind.startswith("Nullable<")
            base = kind[len("Nullable<"):-1] if nullable else kind
            columns[name] = (SAME_TYPE.get(base, base), nullable)
        keys = {k.strip() for k in head.group(2).split(",")}
        found[head.group(1)] = (keys, columns)
    return found


def main():
    backend, printed = sys.argv[1], Path(sys.argv[2]).read_text()
    committed = tables(COMMITTED.read_text())
    actual = tables(printed)
    drift = []
    for table in sorted(set(actual) - set(committed) - NOT_MAPPED_TABLES[backend]):
        drift.append(f"table {table} is in the database, not in schema.rs")
    for table, (keys, columns) in sorted(committed.items()):
        if table not in actual:
            drift.append(f"table {table} is in schema.rs, not in the database")
            continue
        _, found = actual[table]
        for column in sorted(set(found) - set(columns)):
            if (table, column) not in NOT_MAPPED_COLUMNS[backend]:
                drift.append(f"{table}.{column} is in the database, not in schema.rs")
        for column, (kind, nullable) in columns.items():
            if column not in found:
                drift.append(f"{table}.{column} is in schema.rs, not in the database")
                continue
            real_kind, real_nullable = found[column]
            # SQLite reports a TEXT primary key as nullable; it never is.
            if backend == "sqlite" and column in keys:
                real_nullable = nullable
            if (real_kind, real_nullable) != (kind, nullable):
                said = f"{'Nullable<' if nullable else ''}{kind}{'>' if nullable else ''}"
                real = f"{'Nullable<' if real_nullable else ''}{real_kind}{'>' if real_nullable else ''}"
                drift.append(f"{table}.{column}: schema.rs says {said}, the database has {real}")
    if drift:
        print(f"{backend}: schema.rs drifted from the migrations:", *drift, sep="\n  ")
        return 1
    print(f"{backend}: schema.rs matches the migrations ({len(committed)} tables)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
