#!/usr/bin/env python3
"""The SQLite FTS5 reference for the search benchmark: load generate.py's data into FTS5
tables, run every query of queries.json, print load figures and latencies as JSON.

    fts5.py DIR [--prefix-last] [--limit 20] [--filters join|columns|facets] [--db PATH]
            [--results FILE]

DIR holds profiles.jsonl, postings.jsonl and queries.json (from generate.py). The database
is a temporary file (deleted at the end) unless --db is given. Progress goes to stderr; the
JSON report goes to stdout:

  {"load": {"rows", "seconds", "rows_per_sec", "db_bytes", ...},
   "latency_us": {"people"|"postings": {"one_word"|"two_words"|"three_words":
                  {"plain"|"filtered": {"p50", "p99", "n", "mean", "max", "empty",
                                        "cpu_p50", "cpu_p99"}}}},
   "config": {...}}

Loading: the JSONL is parsed first (Python's JSON decoder is not SQLite's indexing cost, so
it is timed apart as parse_seconds); then each table is filled in one transaction and FTS5's
'optimize' merges its index into one segment. load.seconds = inserts + optimize, for both
data sets; db_bytes = pages in use after that (db_file_bytes: the file, free pages included;
bytes_by_object: per table and index, from dbstat). journal_mode=OFF, synchronous=OFF.

Queries: conjunctive. Each whitespace-separated word is one FTS5 string ("..." with inner
quotes doubled, so ':' '-' '*' '(' and the like are text, never syntax); all of them must
match. With --prefix-last the last word is a prefix ("word"*). Results are ordered by bm25
with the name/title column weighted 3 and the other text columns 1 (ties by rowid), LIMIT
--limit, and a COUNT(*) of all matches runs too (the server's endpoint answers a total): a
query's latency is the time of the two statements together. Every query runs once to warm
up, then once timed. p50/p99 are nearest-rank percentiles of the timed pass (wall clock; the
cpu_ figures are this thread's CPU time, less disturbed by other load on the machine).

Filters (--filters), measured on the full data set (1.2 M profiles, p50 / p99 of the people
queries, CPU ms, on a machine busy with other work):

  join (default)  the FTS table holds only the text; the filter values live in an ordinary
                  rowid table (`people_attr`: country, member_type, available, and the
                  multi-valued languages/subjects as " a b " strings tested with instr()).
                  A filtered query joins it on rowid: FTS5 yields the text matches and each
                  is checked with one rowid seek. Unfiltered queries do not join. Ranking is
                  exactly bm25 over the text columns.
                  one word 12.0 / 203, two words 1.2 / 20, three words 1.7 / 17.
  columns         the same values as UNINDEXED columns of the FTS table, tested next to MATCH.
                  Same plan, but FTS5 fetches each matching row's whole content record
                  through its own statement, which is slower: one word 21.8 / 555, two words
                  1.3 / 30, three words 1.8 / 17.
  facets          every value is also a token in a hidden `facets` column ("ǂctr" for country
                  TR: "ǂ" is a letter to the tokenizer and never occurs in text), and a filter
                  is one more AND-ed term of the MATCH, as a term filter in a search engine.
                  Fast when the text matches many rows and the filter few, but FTS5's bm25
                  scans the whole posting list of every phrase to get its document frequency,
                  and common values ("ǂlen": a million rows) make that the cost: one word 14.0
                  / 137, two words 8.8 / 74, three words 10.0 / 67. The facet tokens also
                  lengthen the documents bm25 normalises by, so ranking is not the same.
  The join is the fastest overall and ranks like a text-only table, so it is the reference.
"""

import argparse
import json
import math
import os
import re
import resource
import sqlite3
import sys
import tempfile
import time

TOKENIZER = "unicode61 remove_diacritics 2"

# kind -> FTS table, text columns (name/title first), bm25 weights for them, and the
# filters: query filter key -> (record field, attribute column, multi-valued)
TABLES = {
    "people": dict(
        table="people", text=["display_name", "bio"], weights=[3.0, 1.0],
        filters={
            "country": ("country", "country", False),
            "language": ("languages", "languages", True),
            "subject": ("subjects", "subjects", True),
            "member_type": ("member_type", "member_type", False),
            "available": ("available_for_projects", "available", False),
        }),
    "postings": dict(
        table="postings", text=["title", "summary", "description"], weights=[3.0, 1.0, 1.0],
        filters={
            "scope": ("scope", "scope", False),
            "subject": ("subjects", "subjects", True),
            "language": ("languages", "languages", True),
            "age": ("pupil_ages", "ages", True),
            "competence": ("key_competences", "competences", True),
            "topic": ("topics", "topics", True),
        }),
}
FACET_LETTER = {"country": "c", "language": "l", "subject": "s", "member_type": "m",
                "available": "a", "scope": "o", "age": "g", "competence": "k", "topic": "t"}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def value_text(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    return str(v)


_FACET_CACHE = {}


def facet_token(key, value):
    tok = _FACET_CACHE.get((key, value))
    if tok is None:
        v = value_text(value).lower().replace("+", "plus").replace("-", "to")
        tok = _FACET_CACHE[(key, value)] = "ǂ" + FACET_LETTER[key] + re.sub(r"[^0-9a-z]", "", v)
    return tok


def attr_value(rec, field, multi):
    v = rec[field]
    return (" " + " ".join(v) + " ") if multi else value_text(v)


def fts_string(word):
    return '"' + word.replace('"', '""') + '"'


def match_expr(q, prefix_last, extra_terms=()):
    parts = [fts_string(w) for w in q.split()]
    if prefix_last and parts:
        parts[-1] += "*"
    parts += [fts_string(t) for t in extra_terms]
    return " ".join(parts)


def percentile(sorted_vals, p):
    if not sorted_vals:
        return None
    k = max(0, math.ceil(p * len(sorted_vals)) - 1)
    return sorted_vals[k]


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


class Schema:
    """Tables, rows and SQL for one kind (people or postings) in one filter mode."""

    def __init__(self, kind, mode):
        spec = TABLES[kind]
        self.kind, self.mode = kind, mode
        self.t = spec["table"]
        self.text = spec["text"]
        self.filters = spec["filters"]
        self.attr_cols = [col for _, col, _ in self.filters.values()]
        weights = list(spec["weights"])
        if mode == "columns":
            weights += [0.0] * len(self.attr_cols)
        elif mode == "facets":
            weights += [0.0]
        self.bm25 = f"bm25({self.t}, {', '.join(map(str, weights))})"

    def create(self, con):
        tok = f"tokenize='{TOKENIZER}'"
        cols = list(self.text)
        if self.mode == "columns":
            cols += [f"{c} UNINDEXED" for c in self.attr_cols]
        elif self.mode == "facets":
            cols += ["facets"]
        con.execute(f"CREATE VIRTUAL TABLE {self.t} USING fts5({', '.join(cols)}, {tok})")
        if self.mode == "join":
            con.execute(f"CREATE TABLE {self.t}_attr (id INTEGER PRIMARY KEY, "
                        f"{', '.join(c + ' TEXT' for c in self.attr_cols)})")

    def rows(self, rec):
        """(FTS row, attribute row or None) for one record."""
        text = [rec[c] for c in self.text]
        if self.mode == "columns":
            return tuple(text + [attr_value(rec, f, m) for f, _, m in self.filters.values()]), None
        if self.mode == "facets":
            toks = []
            for key, (field, _, _) in self.filters.items():
                v = rec[field]
                for x in (v if isinstance(v, list) else [v]):
                    toks.append(facet_token(key, x))
            return tuple(text + [" ".join(toks)]), None
        return tuple(text), tuple(attr_value(rec, f, m) for f, _, m in self.filters.values())

    def load(self, con, fts_rows, attr_rows):
        marks = ",".join("?" * len(fts_rows[0]))
        con.execute("BEGIN")
        # rowid = line number + 1 (profile/posting index + 1)
        con.executemany(f"INSERT INTO {self.t} VALUES ({marks})", fts_rows)
        if attr_rows:
            marks = ",".join("?" * (len(attr_rows[0]) + 1))
            con.executemany(f"INSERT INTO {self.t}_attr VALUES ({marks})",
                            ((i + 1, *r) for i, r in enumerate(attr_rows)))
        con.execute("COMMIT")

    def sql(self, q, filters, prefix_last, limit):
        """(top-k SQL, count SQL, parameters for the count; the top-k adds the limit)."""
        t = self.t
        name = f"{t}.{self.text[0]}"
        frm, where, params = t, "", []
        if self.mode == "facets":
            expr = match_expr(q, prefix_last,
                              [facet_token(k, v) for k, v in sorted(filters.items())])
        else:
            expr = match_expr(q, prefix_last)
            prefix = f"{t}." if self.mode == "columns" else "a."
            if filters and self.mode == "join":
                frm = f"{t} JOIN {t}_attr a ON a.id = {t}.rowid"
            for k, v in sorted(filters.items()):
                _, col, multi = self.filters[k]
                if multi:
                    where += f" AND instr({prefix}{col}, ?) > 0"
                    params.append(f" {v} ")
                else:
                    where += f" AND {prefix}{col} = ?"
                    params.append(str(v))
        top = (f"SELECT {t}.rowid, {name} FROM {frm} WHERE {t} MATCH ?{where} "
               f"ORDER BY {self.bm25}, {t}.rowid LIMIT ?")
        count = f"SELECT count(*) FROM {frm} WHERE {t} MATCH ?{where}"
        return top, count, [expr, *params]


def main():
    ap = argparse.ArgumentParser(description="SQLite FTS5 reference for the search benchmark")
    ap.add_argument("dir")
    ap.add_argument("--prefix-last", action="store_true",
                    help="the last query word matches as a prefix")
    ap.add_argument("--limit", type=int, default=20)
    ap.add_argument("--filters", choices=("join", "columns", "facets"), default="join")
    ap.add_argument("--db", help="keep the database at this path (default: a temporary file)")
    ap.add_argument("--no-optimize", action="store_true",
                    help="skip the final FTS5 'optimize' (merge into one segment)")
    ap.add_argument("--results", help="write every query's total and top ids to this file")
    ap.add_argument("--cache-mib", type=int, default=256,
                    help="SQLite page cache (default 256 MiB, the server's sled cache size)")
    ap.add_argument("--mmap-mib", type=int, default=8192,
                    help="PRAGMA mmap_size for the queries, as tantivy's mmap directory reads "
                         "its files (default: all of it; SQLite caps it at its compile-time "
                         "maximum, 2 GiB for Python's; 0 turns it off)")
    args = ap.parse_args()

    if args.db:
        db_path, tmpdir = args.db, None
        if os.path.exists(db_path):
            os.remove(db_path)
    else:
        tmpdir = tempfile.TemporaryDirectory(prefix="fts5-bench-")
        db_path = os.path.join(tmpdir.name, "bench.db")

    schemas = {kind: Schema(kind, args.filters) for kind in TABLES}
    files = {"people": "profiles.jsonl", "postings": "postings.jsonl"}
    t = time.monotonic()
    data = {}
    for kind, schema in schemas.items():
        fts_rows, attr_rows = [], []
        for rec in read_jsonl(os.path.join(args.dir, files[kind])):
            f, a = schema.rows(rec)
            fts_rows.append(f)
            if a is not None:
                attr_rows.append(a)
        data[kind] = (fts_rows, attr_rows)
    parse_s = time.monotonic() - t
    log(f"parsed {len(data['people'][0])} profiles, {len(data['postings'][0])} postings "
        f"in {parse_s:.1f} s")
    with open(os.path.join(args.dir, "queries.json"), encoding="utf-8") as f:
        queries = json.load(f)

    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute(f"PRAGMA cache_size=-{args.cache_mib * 1024}")
    for schema in schemas.values():
        schema.create(con)

    load = {}
    total_insert = total_opt = 0.0
    nrows = 0
    for kind, schema in schemas.items():
        fts_rows, attr_rows = data.pop(kind)
        t = time.monotonic()
        schema.load(con, fts_rows, attr_rows)
        ins = time.monotonic() - t
        t = time.monotonic()
        if not args.no_optimize:
            con.execute(f"INSERT INTO {schema.t}({schema.t}) VALUES ('optimize')")
        opt = time.monotonic() - t
        total_insert += ins
        total_opt += opt
        n = len(fts_rows)
        nrows += n
        load[kind] = {"rows": n, "insert_seconds": round(ins, 2),
                      "optimize_seconds": round(opt, 2), "rows_per_sec": round(n / (ins + opt))}
        log(f"{kind}: {n} rows inserted in {ins:.1f} s, optimized in {opt:.1f} s "
            f"({n / (ins + opt):,.0f} rows/s)")
        del fts_rows, attr_rows

    con.execute(f"PRAGMA mmap_size={args.mmap_mib * 2**20}")
    page = con.execute("PRAGMA page_size").fetchone()[0]
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    free = con.execute("PRAGMA freelist_count").fetchone()[0]
    by_object = dict(con.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
    db_bytes = (pages - free) * page
    load.update({
        "rows": nrows,
        "seconds": round(total_insert + total_opt, 2),
        "rows_per_sec": round(nrows / (total_insert + total_opt)),
        "db_bytes": db_bytes,
        "db_file_bytes": os.path.getsize(db_path),
        "parse_seconds": round(parse_s, 2),
        "bytes_by_object": by_object,
    })
    log(f"load: {nrows} rows in {total_insert + total_opt:.1f} s; database "
        f"{db_bytes / 2**20:.0f} MiB in use ({os.path.getsize(db_path) / 2**20:.0f} MiB file)")

    def run(schema, q, filters):
        top_sql, count_sql, params = schema.sql(q, filters, args.prefix_last, args.limit)
        c0, t0 = time.thread_time_ns(), time.perf_counter_ns()
        top = con.execute(top_sql, [*params, args.limit]).fetchall()
        total = con.execute(count_sql, params).fetchone()[0]
        dt, dc = time.perf_counter_ns() - t0, time.thread_time_ns() - c0
        return dt, dc, total, [r[0] - 1 for r in top]

    latency, results = {}, {}
    for pass_no in (0, 1):
        log("warm-up pass" if pass_no == 0 else "timed pass")
        for kind, schema in schemas.items():
            for shape, variants in queries[kind].items():
                for variant, qs in variants.items():
                    times, cpus, totals, tops = [], [], [], []
                    for item in qs:
                        dt, dc, total, top = run(schema, item["q"], item["filters"])
                        times.append(dt)
                        cpus.append(dc)
                        totals.append(total)
                        tops.append(top)
                    if pass_no == 0:
                        continue
                    st, sc = sorted(times), sorted(cpus)
                    lat = {
                        "p50": round(percentile(st, 0.50) / 1000, 1),
                        "p99": round(percentile(st, 0.99) / 1000, 1),
                        "n": len(st),
                        "mean": round(sum(st) / len(st) / 1000, 1),
                        "max": round(st[-1] / 1000, 1),
                        "empty": sum(1 for x in totals if x == 0),
                        "cpu_p50": round(percentile(sc, 0.50) / 1000, 1),
                        "cpu_p99": round(percentile(sc, 0.99) / 1000, 1),
                    }
                    latency.setdefault(kind, {}).setdefault(shape, {})[variant] = lat
                    results.setdefault(kind, {}).setdefault(shape, {})[variant] = [
                        {"q": it["q"], "filters": it["filters"], "total": tot, "ids": top}
                        for it, tot, top in zip(qs, totals, tops)]
                    log(f"  {kind:8} {shape:11} {variant:8} p50 {lat['p50']:>9} us  "
                        f"p99 {lat['p99']:>9} us  (cpu {lat['cpu_p50']:>9} / "
                        f"{lat['cpu_p99']:>9})  empty {lat['empty']}")
    con.close()
    if tmpdir:
        tmpdir.cleanup()
    if args.results:
        with open(args.results, "w", encoding="utf-8") as f:
            json.dump(results, f, ensure_ascii=False)
    report = {
        "load": load,
        "latency_us": latency,
        "config": {
            "engine": "sqlite-fts5", "sqlite_version": sqlite3.sqlite_version,
            "tokenizer": TOKENIZER, "filters": args.filters, "prefix_last": args.prefix_last,
            "limit": args.limit, "optimize": not args.no_optimize,
            "cache_mib": args.cache_mib, "mmap_mib": args.mmap_mib,
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "load_average": os.getloadavg(),
        },
    }
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
