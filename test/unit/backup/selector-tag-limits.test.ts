import { describe, expect, it } from 'vitest';
import { selectorIssues, type TagSelector } from '../../../shared/backup/discovery';

const tags = (n: number, keyLength = 3) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`${'k'.repeat(keyLength)}${i}`, 'v']));

describe('selector tag limits follow each list API (docs/cloud-truth.md)', () => {
  it('RDS: 5 tag pairs pass, a 6th is refused', () => {
    expect(selectorIssues({ product: 'rds', tags: tags(5) } as TagSelector, 'targets[0]').filter((i) => i.field.endsWith('.tags'))).toEqual([]);
    const issues = selectorIssues({ product: 'rds', tags: tags(6) } as TagSelector, 'targets[0]');
    expect(issues.find((i) => i.field === 'targets[0].tags')?.rule).toContain('1 to 5');
  });
  it('MongoDB: a 64-character key passes, a 65-character key is refused', () => {
    expect(selectorIssues({ product: 'mongodb', tags: { ['k'.repeat(64)]: 'v' } } as TagSelector, 't').filter((i) => i.field === 't.tags')).toEqual([]);
    const issues = selectorIssues({ product: 'mongodb', tags: { ['k'.repeat(65)]: 'v' } } as TagSelector, 't');
    expect(issues.find((i) => i.field === 't.tags')?.rule).toContain('64 characters');
  });
});
