/**
 * PDF text as Markdown text that says the same thing and nothing more. A PDF's words are data:
 * `<img src=x onerror=…>` must not reach a renderer as HTML, `[x](javascript:…)` as a live link,
 * nor `<!-- page 9 -->` as a line a reader takes for the service's page marker. Escapes are
 * CommonMark backslashes, so every character stays and a renderer shows the PDF's text.
 */

/**
 * Inline: `<` before what opens a tag, comment or autolink (a letter, `/`, `!`, `?`; `i < 100`
 * and `<>` stay as they are); `[` and `]` (links and images, whatever their URL) and a `(`
 * right after a `]` (no `](javascript:` is left for a lax renderer or a filter that looks for
 * one); backticks (in a code span a backslash would show, and three open a fence); `&` that
 * starts an entity reference (`&lt;` would read as `<`); a backslash the PDF put before
 * punctuation or at the end, which would escape what follows (`C:\temp` stays).
 */
const INLINE = /<(?=[A-Za-z/!?])|[[\]`]|(?<=\])\(|\\(?=[!-/:-@[-`{-~]|$)|&(?=#?\w+;)/g;

export function escapeInline(text: string): string {
  return text.replace(INLINE, '\\$&');
}

/** What opens a block at a line's start: heading, bullet, quote, fence, thematic break. */
const BLOCK_START = /^(#{1,6}(\s|$)|[-+*](\s|$)|>|~~~|(?<rule>[-*_])[ \t]*(\k<rule>[ \t]*){2,}$)/;
const ORDERED_START = /^(\d{1,9})([.)](\s|$))/;

/** A paragraph, list item or form line: inline escapes, and its start when it would open a block. */
export function escapeLine(text: string): string {
  const escaped = escapeInline(text);
  // `1\. ` rather than `\1. `: a backslash before a digit is a literal backslash.
  const ordered = ORDERED_START.exec(escaped);
  if (ordered) return `${ordered[1]}\\${escaped.slice(ordered[1]!.length)}`;
  return BLOCK_START.test(escaped) ? `\\${escaped}` : escaped;
}

/** A heading's text: inline escapes, and a trailing run of `#`, which would be read as its closing sequence and dropped. */
export function escapeHeading(text: string): string {
  return escapeInline(text).replace(/(^|\s)(#+\s*)$/, '$1\\$2');
}

/** A pipe-table cell: inline escapes and `|`. */
export function escapeCell(text: string): string {
  return escapeInline(text).replace(/\|/g, '\\|');
}
