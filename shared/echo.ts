// A value taken from a request, shown back in an error message or its details: without recursion and within a
// character budget, so no input (a 10k-deep object, a 60 KiB string) can overflow the stack of whoever prints it or
// make an error larger than a few hundred bytes.

type Pending = { value: unknown } | { raw: string };

/** JSON-like text of `value`, cut at `maxChars` (then ending in "..."); `complete` when nothing was cut. */
export function preview(value: unknown, maxChars = 80): { text: string; complete: boolean } {
  let out = '';
  const todo: Pending[] = [{ value }];
  while (todo.length > 0 && out.length <= maxChars) {
    const item = todo.pop() as Pending;
    if ('raw' in item) {
      out += item.raw;
      continue;
    }
    const v = item.value;
    if (typeof v === 'string') out += JSON.stringify(v.length > maxChars ? v.slice(0, maxChars + 1) : v);
    else if (typeof v === 'number') out += Number.isFinite(v) ? String(v) : 'null';
    else if (v === null || typeof v === 'boolean' || typeof v === 'bigint') out += String(v);
    else if (Array.isArray(v)) {
      // Each element takes at least one character: more than the budget cannot be shown anyway.
      const shown = v.slice(0, maxChars + 1);
      todo.push({ raw: ']' });
      for (let i = shown.length - 1; i >= 0; i--) todo.push({ value: shown[i] }, ...(i > 0 ? [{ raw: ',' }] : []));
      todo.push({ raw: '[' });
    } else if (typeof v === 'object') {
      const keys = Object.keys(v).slice(0, maxChars + 1);
      todo.push({ raw: '}' });
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i] as string;
        todo.push({ value: (v as Record<string, unknown>)[k] }, { raw: `${JSON.stringify(k.slice(0, maxChars + 1))}:` }, ...(i > 0 ? [{ raw: ',' }] : []));
      }
      todo.push({ raw: '{' });
    } else out += typeof v === 'undefined' ? 'undefined' : `(${typeof v})`;
  }
  const complete = todo.length === 0 && out.length <= maxChars;
  return { text: complete ? out : `${out.slice(0, Math.max(0, maxChars - 3))}...`, complete };
}

/** What an error's details may carry of an input value: the value itself when it is small, else its preview text. */
export function echoValue(value: unknown, maxChars = 200): unknown {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.length <= maxChars ? value : `${value.slice(0, maxChars - 3)}...`;
  const p = preview(value, maxChars);
  return p.complete ? value : p.text;
}
