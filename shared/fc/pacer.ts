// Spaces out calls to at most `ratePerSec`, so a fan-out of thousands stays inside the products' API rate limits.
export function createPacer(ratePerSec: number, now: () => number = Date.now): () => Promise<void> {
  const gap = 1000 / ratePerSec;
  let nextAt = 0;
  return async () => {
    const t = now();
    const at = Math.max(t, nextAt);
    nextAt = at + gap;
    if (at > t) await new Promise((r) => setTimeout(r, at - t));
  };
}
