// The functions read their configuration from process.env when an invocation starts, before their first await.

export type Env = Record<string, string | undefined>;

/** Sets env, runs fn synchronously (an invocation started inside keeps these settings), restores env. */
export function withEnv<T>(env: Env, fn: () => T): T {
  const saved: Env = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const apply = (e: Env) => {
    for (const [k, v] of Object.entries(e)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(env);
  try {
    return fn();
  } finally {
    apply(saved);
  }
}
