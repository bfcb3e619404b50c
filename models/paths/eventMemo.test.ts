import { describe, expect, it } from 'vitest';
import { EventMemo, eventKey } from './eventMemo.js';

describe('eventKey', () => {
  it('spells out each field with its kind', () => {
    expect(eventKey({ type: 'READ', lowerFailed: false })).toBe("{type=4'READ;lowerFailed=F;}");
    expect(eventKey({ type: 'STOP', failover: true, ejected: ['active', 'hidden'] })).toBe("{type=4'STOP;failover=T;ejected=[6'active,6'hidden,];}");
    expect(eventKey({ type: 'START', fault: { kind: 'check', check: 'invalidTopId' }, n: 3, x: null, y: undefined })).toBe(
      "{type=5'START;fault={kind=5'check;check=12'invalidTopId;};n=#3;x=N;y=U;}",
    );
  });

  it('tells apart what JSON tells apart, and a string that looks like another field', () => {
    const events = [{ a: '1' }, { a: 1 }, { a: true }, { a: 'true' }, { a: null }, { a: [] }, { a: {} }, { a: ['x,y'] }, { a: ['x', 'y'] }, { a: "1'x;b=2'y" }, { a: '1', b: 'x' }];
    expect(new Set(events.map(eventKey)).size).toBe(events.length);
  });

  it('keys equal events equally, whichever object holds them', () => {
    expect(eventKey({ type: 'WRITE', vm: 'primary' })).toBe(eventKey({ ...{ type: 'WRITE' }, vm: 'primary' }));
  });

  it('refuses what is not plain data', () => {
    expect(() => eventKey({ f: () => 1 })).toThrow(new TypeError('a chart event holds plain data, not a function'));
  });
});

describe('EventMemo', () => {
  it('keeps one map of answers per state object', () => {
    const memo = new EventMemo<object, number>();
    const a = {};
    memo.of(a).set('k', 1);
    expect(memo.of(a).get('k')).toBe(1);
    expect(memo.of({}).size).toBe(0);
  });

  it('answers from compute once per state and equal event, handing it the event key', () => {
    const memo = new EventMemo<object, string, { type: string }>();
    const calls: string[] = [];
    const compute = (_state: object, event: { type: string }, key: string): string => {
      calls.push(key);
      return `answer to ${event.type}`;
    };
    const a = {};
    expect(memo.answer(a, { type: 'READ' }, compute)).toBe('answer to READ');
    expect(memo.answer(a, { type: 'READ' }, compute)).toBe('answer to READ');
    expect(memo.answer(a, { type: 'WRITE' }, compute)).toBe('answer to WRITE');
    expect(memo.answer({}, { type: 'READ' }, compute)).toBe('answer to READ');
    expect(calls).toEqual(["{type=4'READ;}", "{type=5'WRITE;}", "{type=4'READ;}"]);
  });
});
