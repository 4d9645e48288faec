// The indexes of the history (per database, per reference, outstanding work): named sorted sets of record ids.
// Records themselves live in the idempotency store; these are the look-ups it cannot do.

export interface IndexEntry {
  member: string;
  score: number;
}

export type IndexOp =
  /** `keepHigher`: an existing higher score stays (the latest activity of a database). */
  | { op: 'add'; index: string; member: string; score: number; keepHigher?: boolean }
  | { op: 'remove'; index: string; member: string }
  /** Drops the entries scored below `below`: the per-database lists keep only the retention window. */
  | { op: 'trim'; index: string; below: number };

export interface RangeOptions {
  min?: number;
  max?: number;
  limit?: number;
  /** Highest score first. */
  reverse?: boolean;
}

export interface SortedIndex {
  /** Applies the operations together (one round trip where the backend allows); each index lives `ttlMs` after its last write. */
  apply(ops: readonly IndexOp[], ttlMs: number): Promise<void>;
  range(index: string, o?: RangeOptions): Promise<IndexEntry[]>;
  count(index: string): Promise<number>;
}
