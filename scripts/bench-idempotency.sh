#!/usr/bin/env bash
# The cost of an Idempotency-Key on a mail send (BENCHMARKS.md): the release binary on a
# temporary store, seeded like the schemathesis run, measured by scripts/bench_idempotency.py.
#   scripts/bench-idempotency.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked
TWINHUB_BIN=target/release/twinhub
. scripts/ci-server.sh
ci_venv
start_twinhub
"$VENV/bin/python" scripts/ci_seed.py "$TWINHUB_BASE" admin@ci.test "$CI_PASSWORD" >/dev/null
"$VENV/bin/python" scripts/bench_idempotency.py "$TWINHUB_BASE" "$CI_PASSWORD" "${1:-1000}"
