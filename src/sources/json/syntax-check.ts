/** The strict RFC 8259 checker that says exactly where and why text JSON.parse refused is not JSON, in plain words. */
import {
  CH_BACKSLASH,
  CH_CLOSE_BRACE,
  CH_CLOSE_BRACKET,
  CH_COLON,
  CH_COMMA,
  CH_CR,
  CH_LF,
  CH_OPEN_BRACE,
  CH_OPEN_BRACKET,
  CH_QUOTE,
  CH_SPACE,
  CH_TAB,
} from './char-codes.js'
import {word as say} from '../../i18n/words.js'

/** Where and why text is not JSON. */
export interface SyntaxProblem {
  /** Offset in the text of the offending character. */
  offset: number
  /** Plain words; '%at' stands for the position of `opener`. */
  message: string
  opener?: number
  /** The problem is only that the text ends: more text could still make it valid. */
  atEnd?: boolean
}

const P_VALUE = 0
const P_ARRAY_FIRST = 1
const P_AFTER = 2
const P_KEY_FIRST = 3
const P_KEY_NEXT = 4
const P_COLON = 5

/**
 * The first RFC 8259 violation in text, or undefined if it is one valid JSON value. Iterative, so deep nesting is
 * fine. Only runs on text JSON.parse has already refused (or that is known to be cut off), so speed is secondary.
 */
export function findSyntaxError(text: string, endLabel: string): SyntaxProblem | undefined {
  const n = text.length
  const kinds: number[] = []
  const opens: number[] = []
  let state = P_VALUE
  let comma = -1
  let i = 0
  for (;;) {
    while (i < n) {
      const c = text.charCodeAt(i)
      if (c === CH_SPACE || c === CH_TAB || c === CH_LF || c === CH_CR) i++
      else break
    }
    if (i >= n) {
      const depth = kinds.length
      if (depth > 0) {
        const kind = say(kinds[depth - 1] === CH_OPEN_BRACE ? 'json.the-object' : 'json.the-array')
        return {
          offset: n,
          message: say('json.unclosed', {end: endLabel, kind, at: '%at'}),
          opener: opens[depth - 1],
          atEnd: true,
        }
      }
      if (state === P_VALUE) return {offset: n, message: say('json.end-expected-value', {end: endLabel}), atEnd: true}
      return undefined
    }
    const c = text.charCodeAt(i)
    const top = kinds[kinds.length - 1]
    switch (state) {
      case P_ARRAY_FIRST:
        if (c === CH_CLOSE_BRACKET) {
          kinds.pop()
          opens.pop()
          i++
          state = P_AFTER
          break
        }
        state = P_VALUE
        break
      case P_VALUE: {
        if (c === CH_OPEN_BRACE || c === CH_OPEN_BRACKET) {
          kinds.push(c)
          opens.push(i)
          i++
          state = c === CH_OPEN_BRACE ? P_KEY_FIRST : P_ARRAY_FIRST
          break
        }
        if (c === CH_QUOTE) {
          const end = scanStringStrict(text, i, endLabel)
          if (typeof end !== 'number') return end
          i = end
          state = P_AFTER
          break
        }
        if (c === 45 || (c >= 48 && c <= 57)) {
          const end = scanNumberStrict(text, i)
          if (typeof end !== 'number') return end
          i = end
          state = P_AFTER
          break
        }
        if (isLetter(c)) {
          let j = i + 1
          while (j < n && isWordChar(text.charCodeAt(j))) j++
          const word = text.slice(i, j)
          if (word !== 'true' && word !== 'false' && word !== 'null') {
            return {offset: i, message: wordProblem(word), atEnd: j === n}
          }
          i = j
          state = P_AFTER
          break
        }
        if (c === CH_CLOSE_BRACKET && top === CH_OPEN_BRACKET && comma >= 0) {
          return {offset: comma, message: say('json.trailing-comma', {close: ']'})}
        }
        return {offset: i, message: valueProblem(text, i)}
      }
      case P_AFTER:
        if (top === undefined) return {offset: i, message: say('json.after-value', {found: describeAt(text, i)})}
        if (c === CH_COMMA) {
          comma = i
          i++
          state = top === CH_OPEN_BRACE ? P_KEY_NEXT : P_VALUE
          break
        }
        if (c === top + 2) {
          kinds.pop()
          opens.pop()
          i++
          comma = -1
          break
        }
        if (c === 47) return {offset: i, message: say('json.comment')}
        return {
          offset: i,
          message:
            top === CH_OPEN_BRACE
              ? say('json.expected-after-property', {found: describeAt(text, i)})
              : say('json.expected-after-element', {found: describeAt(text, i)}),
        }
      case P_KEY_FIRST:
      case P_KEY_NEXT:
        if (c === CH_QUOTE) {
          const end = scanStringStrict(text, i, endLabel)
          if (typeof end !== 'number') return end
          i = end
          state = P_COLON
          break
        }
        if (c === CH_CLOSE_BRACE) {
          if (state === P_KEY_NEXT) return {offset: comma, message: say('json.trailing-comma', {close: '}'})}
          kinds.pop()
          opens.pop()
          i++
          state = P_AFTER
          break
        }
        return {offset: i, message: propertyNameProblem(text, i)}
      case P_COLON:
        if (c === CH_COLON) {
          i++
          state = P_VALUE
          comma = -1
          break
        }
        return {offset: i, message: say('json.expected-colon', {found: describeAt(text, i)})}
    }
  }
}

function scanStringStrict(text: string, open: number, endLabel: string): number | SyntaxProblem {
  const n = text.length
  let j = open + 1
  while (j < n) {
    const c = text.charCodeAt(j)
    if (c === CH_QUOTE) return j + 1
    if (c === CH_BACKSLASH) {
      if (j + 1 >= n) break
      const d = text.charCodeAt(j + 1)
      if (d === 117) {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) {
          const atEnd = /^[0-9a-fA-F]*$/.test(text.slice(j + 2)) && j + 6 > n
          return {offset: j, message: say('json.escape-u'), atEnd}
        }
        j += 6
        continue
      }
      // " \ / b f n r t
      if (d === 34 || d === 92 || d === 47 || d === 98 || d === 102 || d === 110 || d === 114 || d === 116) {
        j += 2
        continue
      }
      if (d !== CH_LF && d !== CH_CR) {
        return {offset: j, message: say('json.escape', {escape: `\\${String.fromCharCode(d)}`})}
      }
      j++
      continue
    }
    if (c < 0x20) {
      if (c === CH_LF || c === CH_CR) {
        return {
          offset: open,
          message: say('json.string-line-break'),
        }
      }
      return {offset: j, message: say('json.control-character', {character: unicodeName(c)})}
    }
    j++
  }
  return {offset: open, message: say('json.string-unterminated', {end: endLabel}), atEnd: true}
}

function scanNumberStrict(text: string, start: number): number | SyntaxProblem {
  let j = start
  if (text.charCodeAt(j) === 45) j++
  let c = text.charCodeAt(j)
  const found = (): string => (j >= text.length ? 'nothing' : describeAt(text, j))
  if (c === 48) {
    j++
    c = text.charCodeAt(j)
    if (c >= 48 && c <= 57) return {offset: j, message: say('json.number-leading-zero')}
  } else if (c >= 49 && c <= 57) {
    while (c >= 48 && c <= 57) c = text.charCodeAt(++j)
  } else {
    return {
      offset: j,
      message: say('json.number-after-minus', {found: found()}),
      atEnd: j >= text.length,
    }
  }
  if (c === 46) {
    c = text.charCodeAt(++j)
    if (!(c >= 48 && c <= 57))
      return {
        offset: j,
        message: say('json.number-after-point', {found: found()}),
        atEnd: j >= text.length,
      }
    while (c >= 48 && c <= 57) c = text.charCodeAt(++j)
  }
  if (c === 101 || c === 69) {
    c = text.charCodeAt(++j)
    if (c === 43 || c === 45) c = text.charCodeAt(++j)
    if (!(c >= 48 && c <= 57)) {
      return {
        offset: j,
        message: say('json.number-exponent', {found: found()}),
        atEnd: j >= text.length,
      }
    }
    while (c >= 48 && c <= 57) c = text.charCodeAt(++j)
  }
  return j
}

function isLetter(c: number): boolean {
  const lower = c | 0x20
  return lower >= 97 && lower <= 122
}

function isWordChar(c: number): boolean {
  return isLetter(c) || (c >= 48 && c <= 57) || c === 95 || c === 36
}

function wordProblem(word: string): string {
  const lower = word.toLowerCase()
  if (lower === 'true' || lower === 'false' || lower === 'null') {
    return say('json.word-case', {word, lower})
  }
  if (word === 'NaN' || word === 'Infinity') return say('json.word-not-allowed', {word})
  if (word === 'undefined') return "'undefined' is not allowed in JSON — use null or leave the property out"
  const meant = ['true', 'false', 'null'].find((literal) => lower.length >= 2 && literal.startsWith(lower))
  if (meant !== undefined) return say('json.word-meant', {word, meant})
  return say('json.word', {word})
}

function valueProblem(text: string, i: number): string {
  const c = text.charCodeAt(i)
  if (c === 39) return say('json.single-quotes')
  if (c === 47) return say('json.comment')
  return say('json.expected-value', {found: describeAt(text, i)})
}

/** Why the character at i cannot start a property name. */
export function propertyNameProblem(text: string, i: number): string {
  const c = text.charCodeAt(i)
  if (c === 39) return say('json.name-single-quotes')
  if (c === 47) return say('json.comment')
  if (isLetter(c) || c === 95 || c === 36) return say('json.name-quotes')
  return say('json.expected-name', {found: describeAt(text, i)})
}

function unicodeName(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
}

/** A character as a message shows it: quoted if printable, with its code point if not plain ASCII. */
export function describeAt(text: string, i: number): string {
  const code = text.codePointAt(i)
  if (code === undefined) return say('json.nothing')
  if (code > 0x20 && code < 0x7f) return `'${String.fromCharCode(code)}'`
  if (code === 0xfeff) return say('json.bom')
  if (
    code <= 0x20 ||
    (code >= 0x7f && code <= 0xa0) ||
    (code >= 0xd800 && code <= 0xdfff) ||
    code === 0x2028 ||
    code === 0x2029
  ) {
    return say('json.character', {code: unicodeName(code)})
  }
  return `'${String.fromCodePoint(code)}' (${unicodeName(code)})`
}
