/*
 * Prints the replication node's outcome table (profile, mode, stage, event -> next state, outcome),
 * read off the chart. Usage: npx tsx models/scripts/printOutcomeTable.ts [qemu-7.2|v24]
 */
import type { Profile } from '../../src/scenario/Scenario.js';
import { MODEL_PROFILES } from '../replication/profiles.js';
import { formatOutcomeTable, outcomeTable } from '../replication/outcomeTable.js';

const wanted = process.argv[2];
if (wanted !== undefined && !(MODEL_PROFILES as readonly string[]).includes(wanted)) {
  process.stderr.write(`usage: printOutcomeTable.ts [${MODEL_PROFILES.join('|')}]\n`);
  process.exitCode = 2;
} else {
  process.stdout.write(formatOutcomeTable(outcomeTable(wanted ? [wanted as Profile] : MODEL_PROFILES)));
}
