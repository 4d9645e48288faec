// The error codes the local cloud answers although no source we read names them for that answer
// (docs/cloud-contract.md, "Error codes", the rows marked **unconfirmed**). The local cloud says so in the Message of
// every such answer, so a test or a person reading a log sees that the code is our guess, not the cloud's word.
// test/unit/local/unconfirmed-codes.test.ts keeps this list and the docs table in step.

export const UNCONFIRMED_CODES: ReadonlySet<string> = new Set([
  'UnknownError',
  'InvalidAccessKeyId.Inactive',
  'InvalidSecurityToken.Expired',
  'InvalidSecurityToken.Mismatch',
  'InvalidSecurityToken.Malformed',
  'Forbidden',
  'Forbidden.NoRAMPermission',
  'InvalidAction.NotFound',
  'InvalidBackupMode.Malformed',
  'IncorrectBackupSetState',
  'InvalidBackupId.NotFound',
  'InvalidTags.Malformed',
]);

export const UNCONFIRMED_MARKER = ' (local cloud: this code is unconfirmed by any source, docs/cloud-contract.md)';

/** The Message the local cloud answers with: the marker appended when the code is one of ours, not the cloud's. */
export function answerMessage(code: string, message: string): string {
  return UNCONFIRMED_CODES.has(code) ? `${message}${UNCONFIRMED_MARKER}` : message;
}
