// Who may run which command, by platform ids only. Deny by default: no CHATOPS_ACL, an empty one or an unreadable one
// allows nothing but `help`. Display names (Slack's user_name, DingTalk's senderNick) are set by the user and never
// match; Slack and DingTalk ids live in different namespaces, so every id names its platform and workspace:
//   "slack:<team_id or enterprise_id>/<user_id>"   "dingtalk:<corp id>/<senderStaffId>"   ("<workspace>/*": anyone there)
//   CHATOPS_ACL='[{"users":["slack:T0123ABCD/U024BE7LH"],"commands":["backup","status"],
//                  "channels":["slack:C0123"],"instances":["rm-orders-*"],"tags":{"app":"orders"}}]'
// `channels`, `instances` (ids, or prefixes ending in "*") and `tags` are optional; `instances` and `tags` limit the
// databases the rule covers: those `backup` may act on, and the only ones `status` and `report` show (a reader
// limited to the orders databases must not learn what the payments team runs, nor how its backups fare).
import type { ChatPlatform } from '../../shared/chat/reply';

export interface AclRule {
  users: string[];
  commands: string[];
  channels?: string[];
  instances?: string[];
  tags?: Record<string, string>;
}

export interface Acl {
  rules: AclRule[];
  /** Why the ACL denies everything, when it was unreadable. */
  problem?: string;
}

export interface Caller {
  platform: ChatPlatform;
  /** Slack: team_id, and enterprise_id on Enterprise Grid; DingTalk: the corp id. */
  workspaces: string[];
  userId: string;
  channelId?: string;
}

/** What a rule is asked about: the database, and whether it carries some tags (a cloud lookup, acl-subject.ts). */
export interface AclSubject {
  instanceId: string;
  hasTags: (tags: Record<string, string>) => Promise<boolean>;
}

export const aclExample = '[{"users":["slack:T0123ABCD/U024BE7LH","dingtalk:<corpId>/<staffId>"],"commands":["backup","status"],"instances":["rm-orders-*"]}]';
const userFormat = /^(slack|dingtalk):[^\s/]{1,128}\/(\*|[^\s/*]{1,128})$/;
const channelFormat = /^(slack|dingtalk):\S{1,256}$/;
const ruleKeys = new Set(['users', 'commands', 'channels', 'instances', 'tags']);

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const refuse = (problem: string): Acl => ({ rules: [], problem: `${problem}. Write rules like ${aclExample}` });

export function parseAcl(raw: string | undefined): Acl {
  if (!raw || raw.trim() === '') return { rules: [], problem: 'CHATOPS_ACL is not set' };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return refuse('CHATOPS_ACL is not valid JSON');
  }
  if (!Array.isArray(value)) return refuse('CHATOPS_ACL must be a JSON array of rules');
  for (const [i, r] of value.entries()) {
    const at = `CHATOPS_ACL[${i}]`;
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return refuse(`${at} must be an object`);
    const extra = Object.keys(r).find((k) => !ruleKeys.has(k));
    if (extra !== undefined) return refuse(`${at}.${extra} is not a rule field (users, commands, channels, instances, tags)`);
    if (!isStringList(r.users) || r.users.length === 0) return refuse(`${at}.users must be a non-empty list of ids`);
    const bad = r.users.find((u: string) => !userFormat.test(u));
    if (bad !== undefined) {
      return refuse(`${at}.users: ${JSON.stringify(bad.slice(0, 64))} is not an id qualified by platform and workspace ("slack:<team_id>/<user_id>" or "dingtalk:<corpId>/<staffId>"); names and bare ids are no longer accepted`);
    }
    if (!isStringList(r.commands) || r.commands.length === 0) return refuse(`${at}.commands must be a non-empty list such as ["backup","status"]`);
    if (r.channels !== undefined && !(isStringList(r.channels) && r.channels.every((c: string) => channelFormat.test(c)))) {
      return refuse(`${at}.channels must list channels qualified by platform ("slack:C0123", "dingtalk:<conversationId>")`);
    }
    if (r.instances !== undefined && !(isStringList(r.instances) && r.instances.every((p: string) => /^[A-Za-z0-9_-]{1,64}\*?$/.test(p)))) {
      return refuse(`${at}.instances must list instance ids, or prefixes ending in "*"`);
    }
    if (r.tags !== undefined && !(r.tags !== null && typeof r.tags === 'object' && !Array.isArray(r.tags) && Object.keys(r.tags).length > 0 && Object.values(r.tags).every((v) => typeof v === 'string'))) {
      return refuse(`${at}.tags must map tag keys to string values, e.g. {"app":"orders"}`);
    }
  }
  return { rules: value as AclRule[] };
}

/** The caller's ids as rules write them: one per workspace the platform says the user belongs to. */
const idsOf = (c: Caller): string[] => c.workspaces.filter((w) => w !== '').flatMap((w) => [`${c.platform}:${w}/${c.userId}`, `${c.platform}:${w}/*`]);

const instanceMatches = (patterns: string[], id: string) => patterns.some((p) => (p.endsWith('*') ? id.startsWith(p.slice(0, -1)) : id === p));

/** The rules that let this caller run this command here (users, channels, command), whatever databases they cover. */
function rulesFor(acl: Acl, caller: Caller, command: string): AclRule[] {
  const ids = idsOf(caller);
  const channel = caller.channelId ? `${caller.platform}:${caller.channelId}` : undefined;
  return acl.rules.filter(
    (r) =>
      (r.commands.includes(command) || r.commands.includes('*')) &&
      r.users.some((u) => ids.includes(u)) &&
      (r.channels === undefined || (channel !== undefined && r.channels.includes(channel))),
  );
}

/** A rule without `instances` and `tags` covers every database; otherwise those it names by both. */
const fleetWide = (r: AclRule) => r.instances === undefined && r.tags === undefined;

async function covers(r: AclRule, subject: AclSubject): Promise<boolean> {
  if (r.instances !== undefined && !instanceMatches(r.instances, subject.instanceId)) return false;
  if (r.tags !== undefined && !(await subject.hasTags(r.tags))) return false;
  return true;
}

/** May the caller run the command at all (no subject), or on this database (a subject). */
export async function allows(acl: Acl, caller: Caller, command: string, subject?: AclSubject): Promise<boolean> {
  if (command === 'help') return true;
  for (const r of rulesFor(acl, caller, command)) if (subject === undefined || (await covers(r, subject))) return true;
  return false;
}

/** Which databases a reading command (`status`, `report`) shows this caller: the whole fleet, or those a rule covers. */
export interface AclScope {
  fleetWide: boolean;
  covers(subject: AclSubject): Promise<boolean>;
}

export function scopeOf(acl: Acl, caller: Caller, command: string): AclScope {
  const rules = rulesFor(acl, caller, command);
  const all = rules.some(fleetWide);
  return {
    fleetWide: all,
    covers: async (subject) => {
      if (all) return true;
      for (const r of rules) if (await covers(r, subject)) return true;
      return false;
    },
  };
}

/**
 * A dashboard link shows every database, so only a rule that names `dashboard` and limits no databases (no
 * `instances`, no `tags`) grants one.
 */
export const allowsDashboard = (acl: Acl, caller: Caller): Promise<boolean> =>
  allows({ rules: acl.rules.filter(fleetWide) }, caller, 'dashboard');
