# Sourced by scripts/openapi-client-check.sh and scripts/schemathesis.sh: the real twinhub
# binary on a free port over a temporary store, with the rate limits raised (the checks send
# many requests from one address and one member), and the Python tools in a pinned venv.
#
#   start_twinhub            sets TWINHUB_DIR, TWINHUB_PID and TWINHUB_BASE (http://127.0.0.1:port)
#   ci_venv                  sets VENV (.venv-ci/, created and filled from scripts/requirements-ci.txt)
# The server is stopped, and its directory removed, when the calling script exits.

TWINHUB_BIN=${TWINHUB_BIN:-target/debug/twinhub}
HIGH=1000000

ci_venv() {
    VENV=.venv-ci
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV"
    fi
    # Installs only what is missing or at another version (pip is quick when all is there).
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r scripts/requirements-ci.txt </dev/null
}

stop_twinhub() {
    if [ -n "${TWINHUB_PID:-}" ]; then
        kill "$TWINHUB_PID" 2>/dev/null || true
        wait "$TWINHUB_PID" 2>/dev/null || true
    fi
    if [ -n "${TWINHUB_DIR:-}" ]; then
        rm -rf "$TWINHUB_DIR"
    fi
}

# Starts the server (an administrator `admin@ci.test`, password $CI_PASSWORD, is created
# first) and waits for the line announcing its address.
start_twinhub() {
    [ -x "$TWINHUB_BIN" ] || cargo build --locked
    TWINHUB_DIR=$(mktemp -d)
    trap stop_twinhub EXIT
    export TWINHUB_STORE__PATH="$TWINHUB_DIR/data"
    export TWINHUB_SEARCH__INDEX_DIR="$TWINHUB_DIR/index"
    export TWINHUB_MAIL__OUTBOX_DIR="$TWINHUB_DIR/outbox"
    export TWINHUB_STORE__BACKUP_DIR="$TWINHUB_DIR/backups"
    export TWINHUB_STORE__LOAD_DEMO_ON_EMPTY=false
    export TWINHUB_SERVER__BIND=127.0.0.1:0
    export TWINHUB_SERVER__WORKERS=2
    export TWINHUB_SERVER__SHUTDOWN_TIMEOUT_SECS=1
    export TWINHUB_SEARCH__SEARCHES_PER_WINDOW=$HIGH
    export TWINHUB_AUTH__LOGIN_FAILURES_PER_ACCOUNT=$HIGH
    export TWINHUB_AUTH__LOGIN_FAILURES_PER_ADDRESS=$HIGH
    export TWINHUB_AUTH__REGISTRATIONS_PER_ADDRESS=$HIGH
    export TWINHUB_LIMITS__CONTACT_REQUESTS_PER_WINDOW=$HIGH
    export TWINHUB_LIMITS__MESSAGES_PER_WINDOW=$HIGH
    export TWINHUB_LIMITS__EMAILS_PER_WINDOW=$HIGH
    export TWINHUB_LIMITS__COMMENTS_PER_WINDOW=$HIGH
    export TWINHUB_LIMITS__POSTINGS_PER_WINDOW=$HIGH
    export TWINHUB_GROUPS__MESSAGES_PER_WINDOW=$HIGH
    export TWINHUB_GROUPS__INVITATIONS_PER_WINDOW=$HIGH
    export TWINHUB_GROUPS__GROUPS_PER_WINDOW=$HIGH
    export TWINHUB_GROUPS__JOINS_PER_WINDOW=$HIGH
    export RUST_LOG=${RUST_LOG:-warn}
    echo "$CI_PASSWORD" | "$TWINHUB_BIN" admin create --email admin@ci.test --name Admin \
        --country FR >/dev/null
    mkfifo "$TWINHUB_DIR/out"
    "$TWINHUB_BIN" >"$TWINHUB_DIR/out" 2>"$TWINHUB_DIR/server.log" &
    TWINHUB_PID=$!
    local line
    exec 3<"$TWINHUB_DIR/out"
    while IFS= read -r line <&3; do
        case "$line" in
        "Twinhub listening on "*)
            TWINHUB_BASE=${line#Twinhub listening on }
            break
            ;;
        esac
    done
    # Keep draining the server's output: a full pipe would block it.
    cat <&3 >/dev/null &
    exec 3<&-
    [ -n "${TWINHUB_BASE:-}" ] || {
        cat "$TWINHUB_DIR/server.log" >&2
        echo "twinhub did not start" >&2
        return 1
    }
    echo "twinhub (pid $TWINHUB_PID) on $TWINHUB_BASE"
}

CI_PASSWORD="a long enough password for CI"
