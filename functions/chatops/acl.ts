// Who may run which command. Deny by default: no CHATOPS_ACL, an empty one or an unreadable one allows nothing
// but `help`.
//   CHATOPS_ACL='[{"users":["U024BE7LH","zhangsan"],"channels":["C0123"],"commands":["backup","status"]}]'
// A rule matches a user by id or name ("*" for anyone), optionally only in the listed channels.

export interface AclRule {
  users: string[];
  channels?: string[];
  commands: string[];
}

export interface Acl {
  rules: AclRule[];
  /** Why the ACL denies everything, when it was unreadable. */
  problem?: string;
}

export interface Caller {
  userId: string;
  userName?: string;
  channelId?: string;
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

export function parseAcl(raw: string | undefined): Acl {
  if (!raw || raw.trim() === '') return { rules: [], problem: 'CHATOPS_ACL is not set' };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { rules: [], problem: 'CHATOPS_ACL is not valid JSON' };
  }
  if (!Array.isArray(value)) return { rules: [], problem: 'CHATOPS_ACL must be a JSON array of rules' };
  const bad = value.findIndex(
    (r) => r === null || typeof r !== 'object' || !isStringList(r.users) || !isStringList(r.commands) || (r.channels !== undefined && !isStringList(r.channels)),
  );
  if (bad >= 0) return { rules: [], problem: `CHATOPS_ACL[${bad}] must be {"users":[...],"commands":[...],"channels"?:[...]}` };
  return { rules: value as AclRule[] };
}

export function allows(acl: Acl, caller: Caller, command: string): boolean {
  if (command === 'help') return true;
  const matches = (list: string[], ...values: (string | undefined)[]) => list.includes('*') || values.some((v) => v !== undefined && list.includes(v));
  return acl.rules.some(
    (r) =>
      matches(r.commands, command) &&
      matches(r.users, caller.userId, caller.userName) &&
      (r.channels === undefined || matches(r.channels, caller.channelId)),
  );
}
