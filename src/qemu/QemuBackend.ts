/*
 * The "real engine" backend: runs a scenario on two real QEMU 7.2 processes (primary and secondary,
 * no guest) wired as docs/block-replication.txt describes, and answers with the shared result
 * document (backend "qemu"). Each scenario gets fresh processes and fresh images (copied from
 * templates a QemuSession keeps), so no state leaks between scenarios; everything is torn down on
 * success, failure, timeout and signals. Engine faults QEMU cannot reproduce are listed as skipped.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from '../scenario/Scenario.js';
import type { ResultDocument, StepResult } from '../scenario/StepResult.js';
import { type FaultLayout, type SkippedItem, layOutFaults, rulesFor } from './FaultMapping.js';
import { removeDirectory, trackDirectory } from './ChildRegistry.js';
import { ImageFactory } from './ImageFactory.js';
import { type PairDisk, QemuPair } from './QemuPair.js';
import { runStep } from './QemuStepRunner.js';
import { type QemuTools, findQemuTools } from './QemuTools.js';
import { diskNames } from './Topology.js';

export const DEFAULT_QEMU_TIMEOUT_MS = 5_000;

/** The result document plus what this run could not reproduce (proposed for ResultDocument). */
export interface QemuResultDocument extends ResultDocument {
  backend: 'qemu';
  /** Scenario parts the QEMU backend did not run, e.g. engine faults blkdebug cannot express. */
  skipped?: SkippedItem[];
}

export interface QemuRunOptions {
  /** Reuse image templates across scenarios (and the located binaries); otherwise one is made and closed. */
  readonly session?: QemuSession;
  /** How long any QMP/NBD wait may take before QEMU counts as hung (default 5 s). */
  readonly timeoutMs?: number;
}

/** What several runs share: the binaries and the image templates. close() when done. */
export class QemuSession {
  readonly images: ImageFactory;

  constructor(readonly tools: QemuTools = findQemuTools()) {
    this.images = new ImageFactory(tools);
  }

  close(): void {
    this.images.close();
  }
}

export async function runScenarioOnQemu(scenario: Scenario, options: QemuRunOptions = {}): Promise<QemuResultDocument> {
  const chain = (scenario as { readonly chain?: unknown }).chain;
  if (chain !== undefined && chain !== 'standard') return chainNotBuilt(scenario, String(chain));
  const session = options.session ?? new QemuSession();
  const runDir = await mkdtemp(join(tmpdir(), 'colosim-run-'));
  trackDirectory(runDir);
  let pair: QemuPair | undefined;
  try {
    const layout = layOutFaults(scenario.engine.faults, scenario.disks, scenario.disk.size);
    const disks = await makeDisks(session, scenario, runDir, layout);
    pair = await QemuPair.create({ binary: session.tools.system, timeoutMs: options.timeoutMs ?? DEFAULT_QEMU_TIMEOUT_MS, disks, imageDir: runDir });
    const steps: StepResult[] = [];
    for (const [index, step] of scenario.steps.entries()) steps.push(await runStep(pair, step, index));
    const document: QemuResultDocument = { scenario: scenario.name, backend: 'qemu', steps };
    if (layout.skipped.length > 0) document.skipped = [...layout.skipped];
    return document;
  } finally {
    await pair?.dispose();
    removeDirectory(runDir);
    if (options.session === undefined) session.close();
  }
}

/** Broken-chain variants (start validation errors) are not built on QEMU yet: every step is skipped. */
function chainNotBuilt(scenario: Scenario, chain: string): QemuResultDocument {
  const reason = `the QEMU backend does not build the "${chain}" chain variant yet`;
  const steps = scenario.steps.map((step, index): StepResult => ({ index, do: step.do, ok: false, code: 'SKIPPED', skipped: reason }));
  return { scenario: scenario.name, backend: 'qemu', steps, skipped: [{ where: 'chain', reason }] };
}

async function makeDisks(session: QemuSession, scenario: Scenario, runDir: string, layout: FaultLayout): Promise<PairDisk[]> {
  const disks: PairDisk[] = [];
  for (let i = 0; i < scenario.disks; i++) {
    const files = await session.images.createDisk(runDir, i, scenario.disk.size, scenario.disk.pattern);
    const rules = {
      primaryDisk: rulesFor(layout, 'primary-disk', i),
      secondaryDisk: rulesFor(layout, 'secondary-disk', i),
      active: rulesFor(layout, 'active-disk', i),
      hidden: rulesFor(layout, 'hidden-disk', i),
      link: rulesFor(layout, 'link', i),
    };
    disks.push({ names: diskNames(i), files, rules });
  }
  return disks;
}
