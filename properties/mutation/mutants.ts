/*
 * The catalogue of engine mutants: each breaks one rule QEMU follows (many are the historical bugs of
 * reference §8, others come from reading QEMU 7.2's block/replication.c, backup.c, copy-before-write.c,
 * mirror.c, quorum.c and nbd.c), by patching the engine for the duration of a test. A mutant names the
 * invariants a sound checker should report for it; a campaign that finds none of them lets it survive.
 */
import { BLOCK_MUTANTS } from './blockMutants.js';
import { BACKUP_MUTANTS, COMMIT_MUTANTS } from './jobMutants.js';
import type { Mutant } from './Mutant.js';
import { PAIR_MUTANTS } from './pairMutants.js';
import { REPLICATION_MUTANTS } from './replicationMutants.js';

export type { Mutant } from './Mutant.js';

export const MUTANTS: readonly Mutant[] = [...REPLICATION_MUTANTS, ...BACKUP_MUTANTS, ...COMMIT_MUTANTS, ...PAIR_MUTANTS, ...BLOCK_MUTANTS];
