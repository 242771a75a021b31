/**
 * The engine reads a small round bullet as "¢" (report-2's and control-2's scans: the cent sign
 * stands where the text layer has "•"). A lone "¢" opening a line, before a word, is taken back
 * to the bullet it is, so the line reads as a list item; a price keeps its sign (it follows the
 * digits, or is one word with them).
 */
const MISREAD_BULLET = '¢';

/** The text of each word, with a misread bullet opening its line taken back to "•"; `words` in the engine's order. */
export function bulletTexts(words: { text: string; line: number }[]): string[] {
  return words.map((w, i) => {
    const opensLine = i === 0 || words[i - 1]!.line !== w.line;
    const beforeWord = words[i + 1]?.line === w.line && /^\p{L}/u.test(words[i + 1]!.text);
    return w.text === MISREAD_BULLET && opensLine && beforeWord ? '•' : w.text;
  });
}
