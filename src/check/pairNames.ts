/* How checkers recognise the pair's nodes by name: role, side and disk index (".N" suffix). */
import { diskSuffix } from '../colo/PairConfig.js';

export interface NodeId {
  readonly role: string;
  readonly disk: number;
}

export function parseNodeName(name: string): NodeId {
  const dot = name.lastIndexOf('.');
  if (dot > 0 && /^\d+$/.test(name.slice(dot + 1))) return { role: name.slice(0, dot), disk: Number(name.slice(dot + 1)) };
  return { role: name, disk: 0 };
}

export function nodeName(role: string, disk: number): string {
  return role + diskSuffix(disk);
}
