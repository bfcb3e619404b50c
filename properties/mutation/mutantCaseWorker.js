// The case worker of a campaign on a mutated engine (detectMutant with workers > 1): plain
// JavaScript, as caseWorkerEntry.js is, that registers tsx in the worker thread, applies the mutant
// detectMutant named in the environment the thread copied from it (piscina drops a query string
// from the file's URL) to the thread's own engine, then runs cases as usual. Only detectMutant
// passes this file; no command line reaches it.
import { register } from 'tsx/esm/api';

register();
const name = process.env.COLOSIM_MUTANT_UNDER_TEST;
const { MUTANTS } = await import('./mutants.ts');
const mutant = MUTANTS.find((m) => m.name === name);
if (!mutant) throw new Error(`mutantCaseWorker: no mutant named ${name}`);
mutant.apply();
const { default: runCaseTask } = await import('../../src/fuzz/caseWorker.ts');

export default runCaseTask;
