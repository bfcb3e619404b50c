/*
 * The fallback: `npx stryker run stryker.command.config.mjs` (MUTATE_DIR as for `npm run mutate`).
 * Every mutant runs properties/mutation/stryker-command.sh: the unit tests of the four folders,
 * then a 300-case fuzz campaign through the CLI on the compiled build of the instrumented sources.
 * It does what the vitest runner (stryker.config.mjs) cannot: the campaign runs as `colosim fuzz`
 * does, through the bin and the compiled dist/, so a mutant that only breaks the build or the
 * module loading is seen too. Without coverage analysis every mutant costs a whole command
 * (about 5 s of CPU for a survivor), so a folder takes hours.
 */
import { nodeModules, strykerConfig } from './properties/mutation/strykerBase.mjs';

export default strykerConfig('command', {
  testRunner: 'command',
  commandRunner: { command: `sh properties/mutation/stryker-command.sh ${nodeModules()}` },
  // The instrumented sources are compiled once, so the campaign does not load them through tsx
  // for every mutant; the build is made from the mutated sandbox, so it is never stale.
  buildCommand: `sh properties/mutation/stryker-build.sh ${nodeModules()}`,
  coverageAnalysis: 'off',
});
