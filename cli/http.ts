// One HTTP exchange with a deployed (or local) function: its status and JSON body, a network failure as a
// retryable error, a body that is not JSON kept as the message.
import { BackupError } from '../shared/errors';

export async function http(url: string, init: RequestInit): Promise<{ status: number; json: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(120_000) });
  } catch (cause) {
    throw new BackupError({ code: 'NetworkError', category: 'transient', message: `Could not reach ${url}.`, cause });
  }
  const text = await res.text();
  let json: unknown = {};
  try {
    json = JSON.parse(text);
  } catch {
    json = { error: { message: text.slice(0, 200) } };
  }
  return { status: res.status, json };
}
