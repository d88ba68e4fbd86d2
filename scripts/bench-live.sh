#!/usr/bin/env bash
# Live-layer (WebSocket fan-out) benchmark: twinhub against a raw tokio-tungstenite floor
# (benches/ws_floor.rs), same load generator (src/bin/twinhub-load.rs), same scenarios.
# Server on core 0, generator on core 1 (taskset); each scenario gets a fresh server and
# a fresh temporary store. Prints a Markdown table with twinhub/floor ratios.
#
#   scripts/bench-live.sh                 # the single-group scenarios, 10 s each
#   DURATION=5 SCENARIOS="1k-50 idle" scripts/bench-live.sh
#   IDLE_SESSIONS=15000 scripts/bench-live.sh
#   SCENARIOS="group-1000 group-1000-400 groups-100x50 groups-100x50-1000" scripts/bench-live.sh
#
# Group chat (issue 7), not in the default list: every member has an account of its own and
# one socket; 100 senders (one account each, spread over the groups).
#   group-1000          1 group of 1,000 members, 100 senders, 100 msg/s (100,000 deliveries/s)
#   group-1000-400      the same at 400 msg/s (400,000 deliveries/s)
#   groups-100x50       100 groups of 50 (5,000 members), one sender per group, 100 msg/s
#                       (5,000 deliveries/s)
#   groups-100x50-1000  the same at 1,000 msg/s (50,000 deliveries/s)
# Registering costs the server an Argon2id hash and the login another (40-55 ms each on
# the pinned core; the cost is fixed in src/service/passwords.rs, not configurable), so the
# setup takes minutes per scenario: about 2 min for 1,000 members and 9 min for 5,000 here.
#
# Each twinhub server gets a fresh store holding one platform administrator, created with
# `twinhub admin create` before the server starts; the generator logs in as them, appoints an
# NSO officer of France, who validates the group creators (only eTwinners create groups).
#
# Needs Linux (taskset, /proc) and an open-file hard limit above the idle session count
# (every socket costs one descriptor in the generator and one in the server).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
IDLE_SESSIONS=${IDLE_SESSIONS:-19000}
USERS=${USERS:-100}
SENDERS=${SENDERS:-10}
# The group-chat scenarios below run when named (their setup alone takes minutes).
SCENARIOS=${SCENARIOS:-"1k-50 1k-400 1k-1000 1k-1600 5k-20 idle"}
# Chat messages a member may send per minute on the bench server (config.toml: 120): the
# 1k-* scenarios send up to 160 messages/s from one account.
GROUP_MESSAGES_PER_WINDOW=${GROUP_MESSAGES_PER_WINDOW:-1000000000}
ADMIN_EMAIL=bench-admin@example.org
ADMIN_PASSWORD=bench-admin-password
# The server allocates with jemalloc (main.rs); extra environment for the server (allocator
# settings such as _RJEM_MALLOC_CONF=...) can be passed here.
TWINHUB_MALLOC=${TWINHUB_MALLOC-}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
BIN=$CARGO_TARGET_DIR/release

# name → "sessions groups senders rate users" (users: accounts the sessions are spread over)
scenario() {
    case $1 in
        1k-50) echo "1000 1 $SENDERS 50 $USERS" ;;
        1k-400) echo "1000 1 $SENDERS 400 $USERS" ;;
        1k-1000) echo "1000 1 $SENDERS 1000 $USERS" ;;
        1k-1600) echo "1000 1 $SENDERS 1600 $USERS" ;;
        5k-20) echo "5000 1 $SENDERS 20 $USERS" ;;
        idle) echo "$IDLE_SESSIONS 1 0 0 $USERS" ;;
        group-1000) echo "1000 1 100 100 1000" ;;
        group-1000-400) echo "1000 1 100 400 1000" ;;
        groups-100x50) echo "5000 100 100 100 5000" ;;
        groups-100x50-1000) echo "5000 100 100 1000 5000" ;;
        *) echo "unknown scenario $1" >&2; exit 2 ;;
    esac
}
for name in $SCENARIOS; do scenario "$name" >/dev/null; done

cargo build --release --features load --bin twinhub --bin twinhub-load --example ws_floor
ulimit -n "$(ulimit -Hn)"
echo "open-file limit: $(ulimit -n); cores: $(nproc); load average: $(cut -d' ' -f1-3 /proc/loadavg)"

WORK=$(mktemp -d)
SERVER_PID=""
stop_server() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
trap 'stop_server; rm -rf "$WORK"' EXIT

# Starts a server on a free port (it binds port 0 and prints its address); sets SERVER_PID
# and PORT. $1: twinhub|floor, $2: log file. A twinhub server gets a fresh store holding the
# platform administrator (created first: the server locks the store).
start_server() {
    local kind=$1 log=$2 store
    if [[ $kind == twinhub ]]; then
        store=$(mktemp -d -p "$WORK")
        local config=(
            TWINHUB_AUTH__REGISTRATIONS_PER_ADDRESS=1000000
            TWINHUB_AUTH__LOGIN_FAILURES_PER_ADDRESS=1000000
            TWINHUB_LIVE__FRAMES_PER_SECOND=100000
            TWINHUB_LIVE__FRAMES_BURST=100000
            TWINHUB_GROUPS__MESSAGES_PER_WINDOW="$GROUP_MESSAGES_PER_WINDOW"
            TWINHUB_STORE__LOAD_DEMO_ON_EMPTY=false
            TWINHUB_STORE__PATH="$store/data"
            TWINHUB_SEARCH__INDEX_DIR="$store/index"
            TWINHUB_MAIL__OUTBOX_DIR="$store/outbox"
            TWINHUB_SERVER__BIND=127.0.0.1:0
            TWINHUB_SERVER__SHUTDOWN_TIMEOUT_SECS=2
        )
        if ! echo "$ADMIN_PASSWORD" | env "${config[@]}" "$BIN/twinhub" admin create \
            --email "$ADMIN_EMAIL" --name "Bench Admin" --country FR >"$log" 2>&1; then
            echo "twinhub admin create failed:" >&2
            cat "$log" >&2
            exit 1
        fi
        env "${config[@]}" $TWINHUB_MALLOC taskset -c 0 "$BIN/twinhub" >>"$log" 2>&1 &
    else
        taskset -c 0 "$BIN/examples/ws_floor" 127.0.0.1:0 >"$log" 2>&1 &
    fi
    SERVER_PID=$!
    PORT=""
    for _ in $(seq 100); do
        PORT=$(sed -n 's/.*listening on \(http:\/\/\)\{0,1\}127\.0\.0\.1:\([0-9]*\).*/\2/p' "$log" | head -1)
        [[ -n $PORT ]] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "server ($kind) did not start:" >&2
    cat "$log" >&2
    exit 1
}

# Runs one scenario against one server; appends "kind name RESULT..." to $WORK/results.
run() {
    local kind=$1 name=$2 sessions groups senders rate users log out
    read -r sessions groups senders rate users <<<"$(scenario "$name")"
    log=$WORK/$kind-$name.server.log
    out=$WORK/$kind-$name.out
    start_server "$kind" "$log"
    echo
    echo "== $kind $name: $sessions sessions, $groups group(s), $senders senders, $rate msg/s, ${DURATION} s (server pid $SERVER_PID, port $PORT)"
    TWINHUB_LOAD_ADMIN_EMAIL=$ADMIN_EMAIL TWINHUB_LOAD_ADMIN_PASSWORD=$ADMIN_PASSWORD \
        taskset -c 1 "$BIN/twinhub-load" --mode "$kind" --url "http://127.0.0.1:$PORT" \
        --sessions "$sessions" --groups "$groups" --senders "$senders" --rate "$rate" \
        --duration "$DURATION" --users "$users" --server-pid "$SERVER_PID" | tee "$out" ||
        echo "RESULT generator-failed" >>"$out"
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        alive=yes
    else
        alive=no
        echo "!! the $kind server is gone; last log lines:"
        tail -20 "$log"
    fi
    local problems
    problems=$(grep -ciE ' (WARN|ERROR) |panick' "$log" || true)
    echo "server alive: $alive; warnings/errors in its log: $problems"
    grep -iE ' (WARN|ERROR) |panick' "$log" | sort | uniq -c | sort -rn | head -5 || true
    echo "$kind $name alive=$alive log_problems=$problems $(grep '^RESULT' "$out" | tail -1)" >>"$WORK/results"
    stop_server
    sleep 2 # let the sockets of this round leave the kernel's tables
}

for name in $SCENARIOS; do
    run twinhub "$name"
    run floor "$name"
done

field() { # $1 key, $2 line
    sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"
}
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "n/a" || b == "n/a" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'
}

echo
echo "| scenario | sessions held (twinhub / floor) | events/s twinhub | events/s floor | ratio | lost twinhub / floor | p50 ms twinhub / floor | p99 ms twinhub / floor | max ms twinhub / floor | RSS kB/conn twinhub / floor | RSS ratio | server CPU % twinhub / floor | generator CPU % twinhub / floor |"
echo "|---|---|---:|---:|---:|---|---|---|---|---|---:|---|---|"
for name in $SCENARIOS; do
    t=$(grep "^twinhub $name " "$WORK/results" || true)
    f=$(grep "^floor $name " "$WORK/results" || true)
    read -r sessions groups senders rate _ <<<"$(scenario "$name")"
    printf '| %s (%s sessions, %s group(s), %s senders, %s msg/s) | %s / %s | %s | %s | %s | %s / %s | %s / %s | %s / %s | %s / %s | %s / %s | %s | %s / %s | %s / %s |\n' \
        "$name" "$sessions" "$groups" "$senders" "$rate" \
        "$(field held "$t")" "$(field held "$f")" \
        "$(field events_per_s "$t")" "$(field events_per_s "$f")" \
        "$(ratio "$(field events_per_s "$t")" "$(field events_per_s "$f")")" \
        "$(field lost "$t")" "$(field lost "$f")" \
        "$(field p50_ms "$t")" "$(field p50_ms "$f")" \
        "$(field p99_ms "$t")" "$(field p99_ms "$f")" \
        "$(field max_ms "$t")" "$(field max_ms "$f")" \
        "$(field rss_per_conn_kb "$t")" "$(field rss_per_conn_kb "$f")" \
        "$(ratio "$(field rss_per_conn_kb "$t")" "$(field rss_per_conn_kb "$f")")" \
        "$(field server_cpu_pct "$t")" "$(field server_cpu_pct "$f")" \
        "$(field gen_cpu_pct "$t")" "$(field gen_cpu_pct "$f")"
done
echo
echo "raw results:"
cat "$WORK/results"
