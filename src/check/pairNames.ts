/* How checkers recognise the pair's nodes by name: role, side and disk index (".N" suffix). */
import { diskSuffix } from '../colo/PairConfig.js';

export interface NodeId {
  readonly role: string;
  readonly disk: number;
}

/** Names already parsed: a pair has a few dozen nodes, and checkers parse a name at each of their events. */
const parsed = new Map<string, NodeId>();

export function parseNodeName(name: string): NodeId {
  let id = parsed.get(name);
  if (id === undefined) {
    const dot = name.lastIndexOf('.');
    id = Object.freeze(dot > 0 && /^\d+$/.test(name.slice(dot + 1)) ? { role: name.slice(0, dot), disk: Number(name.slice(dot + 1)) } : { role: name, disk: 0 });
    // Bounded: names come from pair configurations (roles times disks), not from data.
    if (parsed.size < 4096) parsed.set(name, id);
  }
  return id;
}

export function nodeName(role: string, disk: number): string {
  return role + diskSuffix(disk);
}
