import {maskCivicNumbersInText} from '../../validation/identity.js'

const ESCAPES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}

/** Text as HTML text or attribute value: the five characters that could end or open markup, as entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!)
}

// Counts read the same on a page as in the terminal.
export {formatCount, plural} from '../issue-groups-text.js'

/**
 * How a report puts data on its page. Every piece of data goes through `text` (or `code`), which escapes it and —
 * unless the user passed --reveal — masks every civic-number-shaped substring once more: the results a report renders
 * come masked already, and this is the second lock, so a value some service forgot cannot reach the page unmasked.
 */
export interface Html {
  /** Whether personnummer are shown (--reveal). */
  readonly reveal: boolean
  /** Data as HTML text (or attribute value): masked unless revealed, then escaped. */
  text(value: string | undefined): string
  /** Data as `<code>`; nothing for undefined. */
  code(value: string | undefined): string
}

export function htmlContext(options: {reveal: boolean}): Html {
  const text = (value: string | undefined) =>
    value === undefined ? '' : escapeHtml(options.reveal ? value : maskCivicNumbersInText(value))
  return {
    reveal: options.reveal,
    text,
    code: (value) => (value === undefined ? '' : `<code>${text(value)}</code>`),
  }
}
