#!/bin/sh
# `npm test`'s coverage run: c8 around vitest, its raw V8 coverage (about 60 MB) in a temporary
# folder outside the repository that is removed afterwards, whatever the tests' outcome; only the
# summary (text on stdout, json-summary in reports/coverage/) stays. Exits with vitest's status.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/colosim-c8-XXXXXX") || exit 70
trap 'rm -rf "$tmp"' EXIT
c8 --temp-directory="$tmp" --reporter=text-summary --reporter=json-summary --report-dir=reports/coverage vitest run "$@"
