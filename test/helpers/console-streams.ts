// Runs in every test worker before its test file. Vitest shows what a test writes through console with that test,
// and with `silent: 'passed-only'` only for a test that failed. The bundles log with process.stdout.write (what FC
// collects), which vitest cannot attribute to a test: here those writes go through console instead.
const through = (print: (text: string) => void) =>
  ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((e?: Error | null) => void), cb?: (e?: Error | null) => void): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
    print(text.endsWith('\n') ? text.slice(0, -1) : text);
    (typeof encoding === 'function' ? encoding : cb)?.();
    return true;
  }) as typeof process.stdout.write;

process.stdout.write = through((t) => console.log(t));
process.stderr.write = through((t) => console.error(t));
