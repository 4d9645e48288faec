// The e2e receiver checks the DingTalk robot sign by the documented formula, written apart from the sender's: this
// pins that copy to a vector published outside this project, and shows the receiver refusing a sign made otherwise.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkDingtalk, documentedDingtalkSign } from '../../../local/stack/receiver';

describe('the receiver\'s DingTalk sign', () => {
  it('matches a published vector: timestamp 1700000000000, secret "secret"', () => {
    // From the `dingding` Rust crate's test (docs.rs/crate/dingding, src/signature.rs, creates_expected_signature).
    expect(documentedDingtalkSign('secret', '1700000000000')).toBe('OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D');
  });

  it('accepts the documented sign and refuses one keyed or joined otherwise', () => {
    const body = { msgtype: 'markdown', markdown: { title: 't', text: 'x' } };
    const ts = Date.now();
    const url = (sign: string) => new URL(`http://r/notify/dingtalk?timestamp=${ts}&sign=${sign}`);
    expect(checkDingtalk(url(documentedDingtalkSign('SECabc', String(ts))), body, 'SECabc', ts)).toBeUndefined();
    const swapped = encodeURIComponent(createHmac('sha256', `${ts}\nSECabc`).update('SECabc').digest('base64'));
    expect(checkDingtalk(url(swapped), body, 'SECabc', ts)).toBe('sign not match');
    const noNewline = encodeURIComponent(createHmac('sha256', 'SECabc').update(`${ts}SECabc`).digest('base64'));
    expect(checkDingtalk(url(noNewline), body, 'SECabc', ts)).toBe('sign not match');
  });
});
