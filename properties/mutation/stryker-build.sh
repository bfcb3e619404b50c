#!/bin/sh
# StrykerJS's buildCommand (stryker.command.config.mjs, the fallback): compile the instrumented sandbox once, so every
# mutant's fuzz campaign runs the compiled build instead of loading the sources through tsx.
# A worktree whose node_modules is a symlink gets none in the sandbox: link the project's (the first argument).
set -e
[ -e node_modules ] || ln -s "$1" node_modules
npm run build > /dev/null
