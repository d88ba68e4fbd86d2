#!/usr/bin/env bash
# The search benchmark of BENCHMARKS.md: 1.2 million generated teacher profiles and 50,000
# partner-finding postings, loaded into a real sled store, indexed by the real
# `twinhub reindex`, queried at the engine level and through the real `GET /api/search`, and
# the same queries run on SQLite FTS5 over the same data.
#
#   scripts/bench-search.sh                      # full size (about 15 minutes here)
#   PROFILES=20000 POSTINGS=2000 scripts/bench-search.sh   # a quick check
#   GEN=/tmp/bench-search-data scripts/bench-search.sh      # reuse generated data
#
# Writes everything under $WORK (default /tmp/twinhub-bench-search) and prints a summary
# (also in $WORK/summary.md). Needs python3 (standard library only) and /usr/bin/time.
set -euo pipefail

PROFILES=${PROFILES:-1200000}
POSTINGS=${POSTINGS:-50000}
SEED=${SEED:-1}
WORK=${WORK:-/tmp/twinhub-bench-search}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BIN=$ROOT/target/release
GEN=${GEN:-$WORK/data-$PROFILES-$POSTINGS-$SEED}
RUN=$WORK/run
mkdir -p "$WORK"

echo "== build (release)" >&2
(cd "$ROOT" && cargo build --release --features load --bin twinhub --bin twinhub-search-bench) >&2

if [[ ! -f $GEN/queries.json ]]; then
    echo "== generate $PROFILES profiles, $POSTINGS postings" >&2
    python3 "$HERE/bench-search/generate.py" --profiles "$PROFILES" --postings "$POSTINGS" \
        --seed "$SEED" --out "$GEN" >&2
fi

rm -rf "$RUN"
mkdir -p "$RUN"
export TWINHUB_STORE__PATH=$RUN/data
export TWINHUB_SEARCH__INDEX_DIR=$RUN/index
export TWINHUB_MAIL__OUTBOX_DIR=$RUN/outbox
export TWINHUB_STORE__LOAD_DEMO_ON_EMPTY=false
export RUST_LOG=warn
CONFIG=$ROOT/config.toml

echo "== load into the store" >&2
"$BIN/twinhub-search-bench" --config "$CONFIG" load "$GEN" >"$RUN/load.json"

echo "== twinhub reindex" >&2
/usr/bin/time -f '%e %M' -o "$RUN/reindex.time" \
    "$BIN/twinhub" --config "$CONFIG" reindex >"$RUN/reindex.txt"
du -sb "$RUN/index" | cut -f1 >"$RUN/index.bytes"

echo "== engine queries" >&2
"$BIN/twinhub-search-bench" --config "$CONFIG" engine "$GEN" >"$RUN/engine.json"
"$BIN/twinhub-search-bench" --config "$CONFIG" engine --prefix-last "$GEN" >"$RUN/engine-prefix.json"

echo "== server and HTTP queries" >&2
TWINHUB_SERVER__BIND=127.0.0.1:0 TWINHUB_SEARCH__SEARCHES_PER_WINDOW=1000000000 \
    "$BIN/twinhub" --config "$CONFIG" >"$RUN/server.out" 2>"$RUN/server.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    grep -q "listening on" "$RUN/server.out" 2>/dev/null && break
    sleep 0.1
done
BASE=$(sed -n 's/^Twinhub listening on //p' "$RUN/server.out")
[[ -n $BASE ]] || { echo "the server did not start" >&2; cat "$RUN/server.err" >&2; exit 1; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVER/status"; }
rss >"$RUN/rss-start.kb"
python3 "$HERE/bench-search/http_queries.py" --base "$BASE" \
    --email bench@bench.test --password bench-password-123 "$GEN" >"$RUN/http.json"
rss >"$RUN/rss-after.kb"
kill -TERM $SERVER
wait $SERVER || true
trap - EXIT

echo "== SQLite FTS5" >&2
python3 "$HERE/bench-search/fts5.py" "$GEN" >"$RUN/fts5.json"
python3 "$HERE/bench-search/fts5.py" --prefix-last "$GEN" >"$RUN/fts5-prefix.json"

python3 "$HERE/bench-search/summary.py" "$RUN" | tee "$WORK/summary.md"
