#!/usr/bin/env bash
# Fuzzes the real server against its own OpenAPI document with schemathesis (pinned in
# scripts/requirements-ci.txt): every operation, with schema-valid and invalid input, as an
# authenticated member (bearer token) of a store seeded by scripts/ci_seed.py (contacts,
# mail, a school, a posting, a group), rate limits raised, logout excluded (it would end the
# run's session). Fails when an answer is a 5xx or is not what the document says
# (status, content type, body schema, headers). `positive_data_acceptance` is not checked:
# business rules refuse schema-valid input by design (an unknown id, a missing validation).
#
# Bounded to a few minutes on two cores: one worker (two crashed schemathesis's own fuzzing
# phase on Python 3.11) and SCHEMATHESIS_MAX_EXAMPLES cases per operation and phase.
# Run from the repository root after `cargo build`: scripts/schemathesis.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/ci-server.sh

ci_venv
start_twinhub

token=$("$VENV/bin/python" scripts/ci_seed.py "$TWINHUB_BASE" admin@ci.test "$CI_PASSWORD")

"$VENV/bin/schemathesis" run "$TWINHUB_BASE/api/openapi.json" \
    --url "$TWINHUB_BASE" \
    --header "Authorization: Bearer $token" \
    --workers 1 \
    --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-50}" \
    --seed "${SCHEMATHESIS_SEED:-1}" \
    --exclude-path /api/auth/logout \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
    --request-timeout 30 \
    --suppress-health-check all \
    --output-sanitize true </dev/null
