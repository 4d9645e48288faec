// Text a user chose (a nickname, an unsigned DingTalk staff id, a mistyped command), echoed back into a chat message:
// quoted and cut short, with line breaks and control characters removed, so the bot cannot be made to "say" a
// paragraph, a link list or a fake second message. Slack's <…> escaping happens when the message is built (reply.ts).

/** One line, at most `max` characters (not UTF-16 units: an emoji is not cut in half). */
export function flatUserText(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  return [...flat].length > max ? `${[...flat].slice(0, max - 1).join('')}…` : flat;
}

export function quoteUserText(text: string, max = 40): string {
  return `"${flatUserText(text, max).replace(/"/g, "'")}"`;
}
