// How deeply a JSON text nests, checked on the text before JSON.parse: everything that later walks a parsed value
// (validation, hashing, the echo of a refused value) may recurse, and a 30k-deep array must be a 400, not a stack
// overflow. One linear pass, no recursion, stopping at the first level past the limit.

/** Deep enough for every request this project takes (a target's tags are 3 levels down); far below any stack. */
export const maxJsonDepth = 32;

export function exceedsJsonDepth(text: string, limit: number = maxJsonDepth): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped, whatever it is
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
