import { describe, expect, it } from 'vitest';
import { QEMU_10_0_2, QEMU_7_2, V24, profileRules } from '../../src/replication/Profile.js';
import { PROFILES } from '../../src/scenario/Scenario.js';
import { CHART_RULES, PROFILE_QEMU, RULE_VERSIONS } from './profiles.js';

describe('profiles: which QEMU each rule belongs to', () => {
  it('every profile names the QEMU it stands for, and the engine has rules for it', () => {
    expect(PROFILES.map((p) => [p, PROFILE_QEMU[p], profileRules(p).name])).toEqual([
      ['qemu-7.2', '7.2.22', 'qemu-7.2'],
      ['qemu-10.0.2', '10.0.2', 'qemu-10.0.2'],
      ['v24', 'none (the 2016 v24 patch)', 'v24'],
    ]);
  });

  it('qemu-10.0.2 differs from 7.2 in the commit start-up rule only, whose false side is the range 10.0.2 lies in', () => {
    const differing = Object.keys(QEMU_7_2).filter((k) => k !== 'name' && QEMU_7_2[k as keyof typeof QEMU_7_2] !== QEMU_10_0_2[k as keyof typeof QEMU_10_0_2]);
    expect(differing).toEqual(['commitRecordsWritesDuringStartup']);
    expect([QEMU_7_2.commitRecordsWritesDuringStartup, QEMU_10_0_2.commitRecordsWritesDuringStartup, V24.commitRecordsWritesDuringStartup]).toEqual([true, false, true]);
    expect(RULE_VERSIONS.commitRecordsWritesDuringStartup).toEqual({ true: '<8.2, >=10.0.13 (949a156773, GitLab #3273)', false: '>=8.2 <10.0.13 (058cfca564)' });
    expect(CHART_RULES['qemu-10.0.2']).toEqual(CHART_RULES['qemu-7.2']);
  });

  it('every engine rule has its versions, and nothing else is listed', () => {
    expect(Object.keys(RULE_VERSIONS).sort()).toEqual(Object.keys(QEMU_7_2).filter((k) => k !== 'name').sort());
  });
});
