#!/usr/bin/env bash
# Generates a Python client from the real server's OpenAPI document with a common generator
# (openapi-python-client, pinned in scripts/requirements-ci.txt), fails on any generator
# warning (a dropped schema or endpoint), then uses the client to search, send and read mail
# and list notifications (scripts/openapi_client_check.py).
# Run from the repository root after `cargo build`: scripts/openapi-client-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/ci-server.sh

ci_venv
start_twinhub

"$VENV/bin/python" -c 'import sys, httpx
open(sys.argv[2], "wb").write(httpx.get(sys.argv[1]).raise_for_status().content)' \
    "$TWINHUB_BASE/api/openapi.json" "$TWINHUB_DIR/openapi.json"
log="$TWINHUB_DIR/generate.log"
if ! "$VENV/bin/openapi-python-client" generate --path "$TWINHUB_DIR/openapi.json" \
    --config scripts/openapi-client-config.yaml --meta none \
    --output-path "$TWINHUB_DIR/twinhub_client" >"$log" 2>&1 ||
    grep -qiE 'warning|error|unable|removal' "$log"; then
    cat "$log" >&2
    echo "openapi-python-client did not generate a complete client" >&2
    exit 1
fi
"$VENV/bin/python" scripts/openapi_client_check.py "$TWINHUB_BASE" "$TWINHUB_DIR" \
    admin@ci.test "$CI_PASSWORD"
