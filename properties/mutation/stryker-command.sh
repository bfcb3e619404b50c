#!/bin/sh
# StrykerJS's command runner (stryker.config.json): a mutant is killed when this exits non-zero.
# First a short fuzz campaign (the invariants), then the unit tests of the mutated folders; the
# campaign's report goes to a temporary folder that is removed on exit.
set -e
out=$(mktemp -d "${TMPDIR:-/tmp}/colosim-stryker-XXXXXX")
trap 'rm -rf "$out"' EXIT
node src/cli/colosim.js fuzz --seed 1 --runs "${COLOSIM_STRYKER_RUNS:-300}" --out "$out" > /dev/null
npx vitest run src/replication src/jobs src/colo src/block --bail=1 --reporter=dot > /dev/null
