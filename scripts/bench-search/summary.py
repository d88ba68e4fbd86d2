#!/usr/bin/env python3
"""Summarises a run of scripts/bench-search.sh as Markdown: load and index figures, then
per query shape our latencies (engine and HTTP) beside SQLite FTS5's, with ratios.

Usage: summary.py RUN_DIR   (the directory bench-search.sh wrote)
"""
import json
import os
import sys

SHAPES = ("one_word", "two_words", "three_words")
VARIANTS = ("plain", "filtered")


def read_json(run, name):
    with open(os.path.join(run, name), encoding="utf-8") as f:
        return json.load(f)


def read_text(run, name):
    with open(os.path.join(run, name), encoding="utf-8") as f:
        return f.read().strip()


def cell(lat):
    return f"{lat['p50']:g} / {lat['p99']:g}" if lat else "–"


def ratio(theirs, ours):
    if not theirs or not ours or not ours.get("p50"):
        return "–"
    return f"{theirs['p50'] / ours['p50']:.1f}×"


def lat(report, kind, shape, variant):
    return report.get("latency_us", {}).get(kind, {}).get(shape, {}).get(variant)


def main():
    run = sys.argv[1]
    load = read_json(run, "load.json")
    secs, peak_kb = read_text(run, "reindex.time").split()
    items = load["profiles"] + load["postings"]
    index_bytes = int(read_text(run, "index.bytes"))
    rss_start = int(read_text(run, "rss-start.kb"))
    rss_after = int(read_text(run, "rss-after.kb"))
    engine = read_json(run, "engine.json")
    engine_prefix = read_json(run, "engine-prefix.json")
    http = read_json(run, "http.json")
    fts5 = read_json(run, "fts5.json")
    fts5_prefix = read_json(run, "fts5-prefix.json")

    out = []
    out.append(f"Data: {load['profiles']:,} profiles, {load['postings']:,} postings.\n")
    out.append(f"- `twinhub reindex` from the store: {items:,} items in {float(secs):.1f} s "
               f"= {items / float(secs):,.0f} items/s (peak RSS {int(peak_kb) / 1024:,.0f} MiB); "
               f"its own line: {read_text(run, 'reindex.txt').splitlines()[-1]}")
    out.append(f"- Index size: {index_bytes / 2**20:,.0f} MiB; FTS5 database: "
               f"{fts5['load'].get('db_bytes', 0) / 2**20:,.0f} MiB "
               f"(FTS5 load {fts5['load'].get('rows_per_sec', 0):,.0f} rows/s)")
    out.append(f"- Server RSS: {rss_start / 1024:,.0f} MiB after start, "
               f"{rss_after / 1024:,.0f} MiB after the HTTP queries")
    errors = http.get("errors") or http.get("error_count")
    if errors:
        out.append(f"- HTTP errors: {errors}")
    out.append("")
    out.append("Latency in µs, p50 / p99. *Exact*: every word a whole word. *Prefix*: the last "
               "word also a prefix (what the endpoint does). Ratio = FTS5 p50 / ours p50.\n")
    out.append("| kind | words | filters | engine exact | FTS5 exact | ratio | engine prefix "
               "| FTS5 prefix | ratio | HTTP endpoint (prefix, facets, snippets, JSON) |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for kind in ("people", "postings"):
        for shape in SHAPES:
            for variant in VARIANTS:
                e, f = lat(engine, kind, shape, variant), lat(fts5, kind, shape, variant)
                ep, fp = lat(engine_prefix, kind, shape, variant), lat(fts5_prefix, kind, shape, variant)
                h = lat(http, kind, shape, variant)
                out.append(f"| {kind} | {shape.replace('_', ' ')} | {variant} | {cell(e)} | "
                           f"{cell(f)} | {ratio(f, e)} | {cell(ep)} | {cell(fp)} | "
                           f"{ratio(fp, ep)} | {cell(h)} |")
    print("\n".join(out))


if __name__ == "__main__":
    main()
