/* The list of subcommands; each file registers one. */
import type { Command } from 'commander';
import { registerChart } from './chart.js';
import { registerDiff } from './diff.js';
import { registerExportRepro } from './exportRepro.js';
import { registerFuzz } from './fuzz.js';
import { registerMerge } from './merge.js';
import { registerHunt } from './hunt.js';
import { registerReplay } from './replay.js';
import { registerReport } from './report.js';
import { registerRun } from './run.js';

/** `setExitCode` lets an action report its exit code without calling process.exit. */
export type RegisterCommand = (program: Command, setExitCode: (code: number) => void) => void;

export const COMMANDS: readonly RegisterCommand[] = [registerRun, registerChart, registerFuzz, registerReplay, registerDiff, registerMerge, registerReport, registerHunt, registerExportRepro];
