import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth, maxJsonDepth } from '../../../shared/input/json-depth';

const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

describe('exceedsJsonDepth', () => {
  it(`allows ${maxJsonDepth} levels and refuses ${maxJsonDepth + 1}, for arrays and objects`, () => {
    expect(exceedsJsonDepth(nested(maxJsonDepth))).toBe(false);
    expect(exceedsJsonDepth(nested(maxJsonDepth + 1))).toBe(true);
    let obj = '1';
    for (let i = 0; i < maxJsonDepth + 1; i++) obj = `{"a":${obj}}`;
    expect(exceedsJsonDepth(obj)).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(exceedsJsonDepth(JSON.stringify({ s: '['.repeat(1000) + '"\\"{{{' }))).toBe(false);
    expect(exceedsJsonDepth(`["\\\\"${'['.repeat(40)}`)).toBe(true);
  });

  it('handles a 1,000,000-deep array without recursion', () => {
    expect(exceedsJsonDepth(nested(1_000_000))).toBe(true);
  });

  it('agrees with the real depth of any JSON value (fast-check)', () => {
    const depthOf = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0);
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 7 }), (v, limit) => {
        expect(exceedsJsonDepth(JSON.stringify(v), limit)).toBe(depthOf(v) > limit);
      }),
      { numRuns: 1000 },
    );
  });
});
