// Each state and each day's outcome has a name, an icon and a pattern besides its colour (Okabe–Ito palette, safe
// for the common colour-vision deficiencies): colour is never the only signal.
import type { State } from './api';

export const stateInfo: Record<State, { label: string; icon: string; help: string }> = {
  failed: { label: 'Failed', icon: '✕', help: 'its latest backup failed' },
  stale: { label: 'Stale', icon: '!', help: 'no good backup within the report’s max age' },
  running: { label: 'Running', icon: '↻', help: 'a backup is running now' },
  ok: { label: 'OK', icon: '✓', help: 'a good backup within the max age' },
};

export const states: State[] = ['failed', 'stale', 'running', 'ok'];

export const outcomeInfo: Record<string, { label: string; cls: string }> = {
  s: { label: 'succeeded', cls: 'd-s' },
  f: { label: 'failed', cls: 'd-f' },
  a: { label: 'ad-hoc backup only', cls: 'd-a' },
  r: { label: 'running', cls: 'd-r' },
  m: { label: 'missing: nothing backed up', cls: 'd-m' },
  '-': { label: 'before its history', cls: 'd-n' },
};

/** A restore drill's state: its verdict, or where it got to without one. */
export type DrillState = 'passed' | 'failed' | 'timed-out' | 'open' | 'no-verdict' | 'never';

export const drillInfo: Record<DrillState, { label: string; icon: string; help: string }> = {
  passed: { label: 'Passed', icon: '✓', help: 'restored and validated' },
  failed: { label: 'Failed', icon: '✕', help: 'restored, but validation failed' },
  'timed-out': { label: 'Timed out', icon: '⧗', help: 'validation did not answer in time' },
  open: { label: 'In progress', icon: '↻', help: 'a drill is running now' },
  'no-verdict': { label: 'No verdict', icon: '!', help: 'the drill ended before validation' },
  never: { label: 'Not yet drilled', icon: '–', help: 'no restore drill recorded' },
};

const ended = new Set(['released', 'release-failed']);

export function drillState(d: { phase: string; verdict?: string | null } | null | undefined): DrillState {
  if (!d) return 'never';
  if (d.verdict === 'passed' || d.verdict === 'failed' || d.verdict === 'timed-out') return d.verdict;
  return ended.has(d.phase) ? 'no-verdict' : 'open';
}

export const legendOrder = ['s', 'f', 'a', 'm', 'r'];
