#!/bin/sh
# StrykerJS's command runner (stryker.command.config.mjs, the fallback): a mutant is killed when this exits non-zero.
# Stryker sets __STRYKER_ACTIVE_MUTANT__; the sandbox holds every mutant, switched by that variable.
# First the unit tests of the four mutated folders, in one vitest process without per-file
# isolation (about 2 s instead of 6 s; a test that hangs 10 s fails, the whole set takes 0.3 s).
# Then a short fuzz campaign (the invariants) on one worker, through the compiled build that
# Stryker's buildCommand made from the instrumented sources (about 3 s). The campaign's report
# goes to a temporary folder that is removed on exit.
set -e
# A worktree whose node_modules is a symlink gets none in the sandbox: link the project's (the
# first argument).
[ -e node_modules ] || ln -s "$1" node_modules
out=$(mktemp -d "${TMPDIR:-/tmp}/colosim-stryker-XXXXXX")
trap 'rm -rf "$out"' EXIT
node_modules/.bin/vitest run --project colosim --pool=threads --no-isolate --bail=1 --reporter=dot \
  --testTimeout=10000 src/replication src/jobs src/colo src/block > /dev/null 2>&1
node src/cli/colosim.js fuzz --seed 1 --runs "${COLOSIM_STRYKER_RUNS:-300}" --workers 1 --out "$out" > /dev/null
