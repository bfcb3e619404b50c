/*
 * What the generator tried, counted over a campaign's cases so a reader can see it: steps by kind
 * (with side or VM), guest I/O by size bucket and alignment, fault kinds drawn (not fired: the
 * summary's `faults` counts those), widths of concurrent groups, disks per side, disk sizes, and how
 * many cases each swarm feature was enabled in. Counts only what the scenario says, never the run.
 */
import type { Scenario, Step } from '../scenario/Scenario.js';
import type { Fault } from '../sim/FaultPlan.js';
import type { GeneratedCase } from './scenarioArbitrary.js';

export interface GeneratorDistribution {
  /** Steps by kind: "write:primary", "checkpoint:both", "stop:secondary:failover", members of concurrent groups included. */
  readonly ops: Record<string, number>;
  /** Guest I/O by length: "<512", "512", "<=4KiB", "<=64KiB", ">64KiB"; "unaligned" counts requests off sector boundaries. */
  readonly ioSizes: Record<string, number>;
  /** Faults drawn into plans, by kind and the op or point they target ("io-error:write", "crash:secondary:during-commit"). */
  readonly faults: Record<string, number>;
  /** Concurrent groups by number of members. */
  readonly concurrencyWidths: Record<string, number>;
  /** Cases by disks per side. */
  readonly disks: Record<string, number>;
  /** Cases by disk size: "one sector", "<64KiB", "cluster multiple", "partial last cluster". */
  readonly diskSizes: Record<string, number>;
  /** Cases in which each swarm feature was enabled ("op:write-primary", "fault:crash", "slow-commit"), and "all-ops" cases. */
  readonly swarm: Record<string, number>;
}

/**
 * One case's counts, measure by measure, in the order the keys were first counted. A case counts
 * into Maps and the campaign adds them up once per key: counting straight into fresh objects, whose
 * keys differ from case to case, took V8 longer than drawing the case.
 */
export type CaseTally = { readonly [M in keyof GeneratorDistribution]: Map<string, number> };

export function emptyDistribution(): GeneratorDistribution {
  return { ops: {}, ioSizes: {}, faults: {}, concurrencyWidths: {}, disks: {}, diskSizes: {}, swarm: {} };
}

export function emptyTally(): CaseTally {
  return { ops: new Map(), ioSizes: new Map(), faults: new Map(), concurrencyWidths: new Map(), disks: new Map(), diskSizes: new Map(), swarm: new Map() };
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** The swarm's keys, built once. */
const OP_KEYS = new Map<string, string>();
const FAULT_KEYS = new Map<string, string>();
const keyOf = (keys: Map<string, string>, prefix: string, name: string): string => keys.get(name) ?? keys.set(name, `${prefix}${name}`).get(name)!;

/** What one case's scenario and swarm say, counted. */
export function tallyCase(drawn: GeneratedCase): CaseTally {
  const d = emptyTally();
  const { scenario, swarm } = drawn;
  for (const step of scenario.steps) recordStep(d, step);
  for (const fault of scenario.engine.faults) bump(d.faults, faultKey(fault));
  bump(d.disks, String(scenario.disks));
  bump(d.diskSizes, diskSizeBucket(scenario));
  for (const op of swarm.ops) bump(d.swarm, keyOf(OP_KEYS, 'op:', op));
  for (const f of swarm.faults) bump(d.swarm, keyOf(FAULT_KEYS, 'fault:', f));
  if (swarm.slowCommit) bump(d.swarm, 'slow-commit');
  return d;
}

/** Add one case's counts to a distribution. */
export function addTally(into: GeneratorDistribution, tally: CaseTally): void {
  for (const measure of Object.keys(tally) as (keyof GeneratorDistribution)[]) {
    const counts = into[measure];
    for (const [key, n] of tally[measure]) counts[key] = (counts[key] ?? 0) + n;
  }
}

export function recordCase(d: GeneratorDistribution, drawn: GeneratedCase): void {
  addTally(d, tallyCase(drawn));
}

function recordStep(d: CaseTally, step: Step): void {
  if (step.do === 'concurrent') {
    bump(d.concurrencyWidths, String(step.steps.length));
    bump(d.ops, 'concurrent');
    for (const member of step.steps) recordStep(d, member);
    return;
  }
  bump(d.ops, stepKey(step));
  if ('offset' in step && 'length' in step) {
    bump(d.ioSizes, sizeBucket(step.length));
    if (step.offset % 512 !== 0 || step.length % 512 !== 0) bump(d.ioSizes, 'unaligned');
  }
}

export function stepKey(step: Step): string {
  switch (step.do) {
    case 'write':
    case 'read':
    case 'discard':
    case 'flush':
      return `${step.do}:${step.vm}${step.node && step.node !== 'vm' ? `:${step.node}` : ''}`;
    case 'write-zeroes':
      return `write-zeroes:${step.vm}${step.unmap ? ':unmap' : ''}${step.node && step.node !== 'vm' ? `:${step.node}` : ''}`;
    case 'start':
      return `start:${step.side}${step.mode && step.mode !== step.side ? `:mode-${step.mode}` : ''}`;
    case 'stop':
      return `stop:${step.side}${step.failover ? ':failover' : ''}`;
    case 'checkpoint':
    case 'status':
    case 'close':
      return `${step.do}:${step.side}`;
    case 'failover':
      return `failover:${step.lost ?? 'primary'}-lost`;
    default:
      return step.do;
  }
}

export function sizeBucket(length: number): string {
  if (length < 512) return '<512';
  if (length === 512) return '512';
  if (length <= 4096) return '<=4KiB';
  if (length <= 65536) return '<=64KiB';
  return '>64KiB';
}

function diskSizeBucket(s: Scenario): string {
  const size = s.disk.size;
  if (size === 512) return 'one sector';
  if (size < 65536) return '<64KiB';
  return size % 65536 === 0 ? 'cluster multiple' : 'partial last cluster';
}

function faultKey(f: Fault): string {
  switch (f.kind) {
    case 'io-error':
    case 'latency':
      return `${f.kind}:${f.op}`;
    case 'crash':
      return `crash:${f.point}`;
    case 'job-fail':
      return `job-fail:${f.job}`;
    case 'link-drop':
      return 'link-drop';
  }
}
