import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { echoValue, preview } from '../../shared/echo';

describe('preview', () => {
  it('is the JSON of a small value, complete', () => {
    expect(preview({ a: [1, 'x', null, true] })).toEqual({ text: '{"a":[1,"x",null,true]}', complete: true });
  });

  it('cuts a long or deep value at the budget without recursing (10k-deep object, 1M-deep array)', () => {
    let deep: unknown = {};
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const p = preview(deep, 80);
    expect(p.complete).toBe(false);
    expect(p.text).toHaveLength(80);
    expect(p.text.startsWith('{"a":{"a":')).toBe(true);
    const arr: unknown[] = [];
    let cur = arr;
    for (let i = 0; i < 1_000_000; i++) {
      const next: unknown[] = [];
      cur.push(next);
      cur = next;
    }
    expect(preview(arr, 40).text).toBe(`${'['.repeat(37)}...`);
    expect(preview('x'.repeat(100_000), 20).text).toBe(`"${'x'.repeat(16)}...`);
  });

  it('never exceeds its budget and equals JSON.stringify when complete (fast-check)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 3, max: 120 }), (v, max) => {
        const p = preview(v, max);
        expect(p.text.length).toBeLessThanOrEqual(max);
        if (p.complete) expect(p.text).toBe(JSON.stringify(v));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('echoValue', () => {
  it('keeps small values as they are and turns big ones into bounded text', () => {
    expect(echoValue([1, 2])).toEqual([1, 2]);
    expect(echoValue(42)).toBe(42);
    expect(echoValue('bad id!')).toBe('bad id!');
    expect(echoValue('z'.repeat(500))).toBe(`${'z'.repeat(197)}...`);
    const big = echoValue({ tags: 'y'.repeat(5000) });
    expect(typeof big).toBe('string');
    expect((big as string).length).toBe(200);
  });
});
