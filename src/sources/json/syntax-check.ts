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
        const kind = kinds[depth - 1] === CH_OPEN_BRACE ? 'object' : 'array'
        return {
          offset: n,
          message: `Unexpected ${endLabel}: the ${kind} opened at %at is not closed`,
          opener: opens[depth - 1],
          atEnd: true,
        }
      }
      if (state === P_VALUE) return {offset: n, message: `Unexpected ${endLabel} — expected a value`, atEnd: true}
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
          return {offset: comma, message: "Trailing comma before ']'"}
        }
        return {offset: i, message: valueProblem(text, i)}
      }
      case P_AFTER:
        if (top === undefined)
          return {offset: i, message: `Unexpected ${describeAt(text, i)} after the end of the value`}
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
        if (c === 47) return {offset: i, message: 'Comments are not allowed in JSON'}
        return {
          offset: i,
          message:
            top === CH_OPEN_BRACE
              ? `Expected ',' or '}' after a property value but found ${describeAt(text, i)}`
              : `Expected ',' or ']' after an array element but found ${describeAt(text, i)}`,
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
          if (state === P_KEY_NEXT) return {offset: comma, message: "Trailing comma before '}'"}
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
        return {offset: i, message: `Expected ':' after the property name but found ${describeAt(text, i)}`}
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
          return {offset: j, message: 'Invalid escape: \\u must be followed by four hexadecimal digits', atEnd}
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
        return {offset: j, message: `Invalid escape '\\${String.fromCharCode(d)}' in a string`}
      }
      j++
      continue
    }
    if (c < 0x20) {
      if (c === CH_LF || c === CH_CR) {
        return {
          offset: open,
          message:
            'Unterminated string: a line break comes before its closing quote (write a line break inside a string as \\n)',
        }
      }
      return {offset: j, message: `Unescaped control character ${unicodeName(c)} in a string`}
    }
    j++
  }
  return {offset: open, message: `Unterminated string: the ${endLabel} comes before its closing quote`, atEnd: true}
}

function scanNumberStrict(text: string, start: number): number | SyntaxProblem {
  let j = start
  if (text.charCodeAt(j) === 45) j++
  let c = text.charCodeAt(j)
  const found = (): string => (j >= text.length ? 'nothing' : describeAt(text, j))
  if (c === 48) {
    j++
    c = text.charCodeAt(j)
    if (c >= 48 && c <= 57) return {offset: j, message: 'Invalid number: leading zeros are not allowed'}
  } else if (c >= 49 && c <= 57) {
    while (c >= 48 && c <= 57) c = text.charCodeAt(++j)
  } else {
    return {
      offset: j,
      message: `Invalid number: expected a digit after '-' but found ${found()}`,
      atEnd: j >= text.length,
    }
  }
  if (c === 46) {
    c = text.charCodeAt(++j)
    if (!(c >= 48 && c <= 57))
      return {
        offset: j,
        message: `Invalid number: expected a digit after '.' but found ${found()}`,
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
        message: `Invalid number: expected a digit in the exponent but found ${found()}`,
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
    return `Unexpected word '${word}' — JSON's literals are lowercase: write ${lower}`
  }
  if (word === 'NaN' || word === 'Infinity') return `'${word}' is not allowed in JSON — use null or a string`
  if (word === 'undefined') return "'undefined' is not allowed in JSON — use null or leave the property out"
  const meant = ['true', 'false', 'null'].find((literal) => lower.length >= 2 && literal.startsWith(lower))
  if (meant !== undefined) return `Unexpected word '${word}' — did you mean ${meant}?`
  return `Unexpected word '${word}' — expected a value (strings must be in double quotes)`
}

function valueProblem(text: string, i: number): string {
  const c = text.charCodeAt(i)
  if (c === 39) return 'Strings must be in double quotes, not single quotes'
  if (c === 47) return 'Comments are not allowed in JSON'
  return `Unexpected ${describeAt(text, i)} — expected a value`
}

/** Why the character at i cannot start a property name. */
export function propertyNameProblem(text: string, i: number): string {
  const c = text.charCodeAt(i)
  if (c === 39) return 'Property names must be in double quotes, not single quotes'
  if (c === 47) return 'Comments are not allowed in JSON'
  if (isLetter(c) || c === 95 || c === 36) return 'Property names must be in double quotes'
  return `Expected a property name in double quotes but found ${describeAt(text, i)}`
}

function unicodeName(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
}

/** A character as a message shows it: quoted if printable, with its code point if not plain ASCII. */
export function describeAt(text: string, i: number): string {
  const code = text.codePointAt(i)
  if (code === undefined) return 'nothing'
  if (code > 0x20 && code < 0x7f) return `'${String.fromCharCode(code)}'`
  if (code === 0xfeff) return 'a byte order mark (U+FEFF)'
  if (
    code <= 0x20 ||
    (code >= 0x7f && code <= 0xa0) ||
    (code >= 0xd800 && code <= 0xdfff) ||
    code === 0x2028 ||
    code === 0x2029
  ) {
    return `character ${unicodeName(code)}`
  }
  return `'${String.fromCodePoint(code)}' (${unicodeName(code)})`
}
