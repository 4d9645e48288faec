// The e2e tests drive the real bundles: build them once before any test file runs.
// (FCDB_SKIP_BUILD=1 skips it for a quick run of unit tests while the bundles are already built or not needed.)
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  if (process.env.FCDB_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
