/**
 * The streaming item scanner: finds where each item starts and ends in decoded text fed chunk by chunk, slices it
 * out for JSON.parse, and only on failure asks the strict checker where and why.
 */
import {entityFromName, type EntityName} from '../../schema/entity-names.js'
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
import type {IssueEvent, JsonInputEvent, JsonInputIssueCode, JsonPosition} from './events.js'
import {lineStarts, makeLocator, positionInText} from './locate.js'
import {describeAt, findSyntaxError, propertyNameProblem, type SyntaxProblem} from './syntax-check.js'
import {word as say} from '../../i18n/words.js'

type ItemEvent = Extract<JsonInputEvent, {kind: 'item'}>
type FileShape = Extract<JsonInputEvent, {kind: 'file'}>['shape']

// What the scanner expects next.
const ST_TOP = 0
/** NDJSON: a value ended; only whitespace may follow on its line. */
const ST_LINE_END = 1
/** NDJSON: after an error, the rest of the line is ignored. */
const ST_SKIP_LINE = 2
/** JSON: the structure is lost; the rest of the file is ignored. */
const ST_DEAD = 3
const ST_ARR_FIRST = 4
const ST_ARR_NEXT = 5
const ST_ARR_AFTER = 6
const ST_OBJ_FIRST = 7
const ST_OBJ_NEXT = 8
const ST_OBJ_COLON = 9
const ST_OBJ_VALUE = 10
const ST_OBJ_AFTER = 11
/** Inside a value whose end is being looked for. */
const ST_VALUE = 12

// What the value being scanned is.
const K_CONTAINER = 0
const K_STRING = 1
const K_SCALAR = 2

// What the value being scanned is for.
const FOR_TOP = 0
const FOR_ELEMENT = 1
const FOR_KEY = 2
const FOR_MEMBER = 3

/** What makes a quoted key more than its characters between the quotes: escapes, or control characters to refuse. */
// eslint-disable-next-line no-control-regex
const NEEDS_DECODING = /[\u0000-\u001f\\]/

/** Length (UTF-16 units) of an unfinished value at which it is first checked for a lost structure; doubles after. */
const SUSPECT_SIZE = 1 << 20

/** Characters that end a bare token (number, literal, or a stray word). */
const DELIMITER = new Uint8Array(128)
for (const c of [CH_TAB, CH_LF, CH_CR, CH_SPACE, CH_QUOTE, CH_COMMA, CH_COLON, 91, 93, 123, 125]) DELIMITER[c] = 1

/**
 * Finds items in decoded text fed chunk by chunk and queues events in `out`. Keeps only the text of the item (or
 * the undecided top-level object) in progress, so memory is bounded by the largest item, not the file.
 */
export class JsonScanner {
  out: JsonInputEvent[] = []

  // Text: the current chunk `s` starts at absolute offset `base`; `carry` holds earlier text still needed.
  private s = ''
  private base = 0
  private end = 0
  private carry: string[] = []
  private carryStarts: number[] = []

  // Line tracking: offset where the current line starts, and of the last CR (so CRLF counts once across chunks).
  private line = 1
  private lineStart = 0
  private lastCr = -2
  // Cached indexes of the next LF and CR in the current chunk, so strings can be skipped with indexOf.
  private nextLf = -1
  private nextCr = -1
  // Where the open value checked by checkLongValue starts, and how long it may grow before the next check.
  private suspectStart = -1
  private suspectAt = SUSPECT_SIZE

  private state = ST_TOP

  // The value being scanned.
  private vKind = K_CONTAINER
  private vFor = FOR_TOP
  private vStart = 0
  private vLine = 1
  private vCol = 1
  private vDepth = 0
  private readonly vStack: number[] = []
  private vInString = false
  private vEscape = false

  // The array being streamed (top-level or under a wrapper key).
  private arrTop = true
  private arrPrefix = ''
  private arrBodyKey: string | undefined
  private arrHint: EntityName | undefined
  private arrIndex = 0
  private arrOpen: JsonPosition = {line: 1, column: 1, offset: 0}
  private commaOffset = 0
  private commaLine = 1
  private commaCol = 1

  // The top-level object: an entity until a wrapper key shows up.
  private objStart = 0
  private objLine = 1
  private objCol = 1
  private objWrapper = false
  private objBroken = false
  private objSawId = false
  private objLastMemberEnd = -1
  private keyStart = 0
  private keyEnd = 0
  private memberKey = ''

  // Per top-level value and per file.
  private topLine = 1
  private topCount = 0
  private sawContent = false
  private firstShape: FileShape = 'entity'
  private items = 0
  private problems = 0
  private readonly bodyKeys: string[] = []
  private readonly extras: Record<string, unknown> = {}

  constructor(
    private readonly file: string,
    private readonly ndjson: boolean,
    private readonly fileHint: EntityName | undefined,
  ) {}

  get dead(): boolean {
    return this.state === ST_DEAD
  }

  /** Hands out the queued events. */
  drain(): JsonInputEvent[] {
    const events = this.out
    this.out = []
    return events
  }

  /** Where the next character would be: used to place problems found outside the text (bad bytes). */
  currentPosition(): JsonPosition {
    return {line: this.line, column: this.end - this.lineStart + 1, offset: this.end}
  }

  summary(failed: boolean): JsonInputEvent {
    if (!this.sawContent && this.problems === 0 && !failed) {
      this.out.push(issue(this.file, 'warning', 'json.empty', 'The file contains no JSON value'))
    }
    const shape: FileShape = !this.sawContent
      ? 'empty'
      : this.ndjson
        ? 'ndjson'
        : this.topCount > 1
          ? 'sequence'
          : this.firstShape
    return {kind: 'file', file: this.file, shape, items: this.items, bodyKeys: this.bodyKeys, extras: this.extras}
  }

  feed(s: string): void {
    this.retain()
    this.base = this.end
    this.s = s
    this.end = this.base + s.length
    this.nextLf = -1
    this.nextCr = -1
    const n = s.length
    let i = 0
    while (i < n) {
      const st = this.state
      if (st === ST_VALUE) {
        const kind = this.vKind
        i =
          kind === K_CONTAINER
            ? this.scanContainer(s, i)
            : kind === K_STRING
              ? this.scanString(s, i)
              : this.scanToken(s, i)
        continue
      }
      if (st === ST_DEAD) break
      const c = s.charCodeAt(i)
      if (c === CH_SPACE || c === CH_TAB) {
        i++
        continue
      }
      if (c === CH_LF || c === CH_CR) {
        if (this.ndjson) this.endOfLine(this.base + i)
        this.newline(c, this.base + i)
        i++
        continue
      }
      i = st === ST_SKIP_LINE ? i + 1 : this.structural(st, c, i)
    }
  }

  finish(): void {
    const end = this.end
    if (this.state === ST_VALUE && this.vKind === K_SCALAR) this.completeValue(end)
    switch (this.state) {
      case ST_VALUE:
        this.brokenValue(end, say('json.end-of-file'))
        break
      case ST_ARR_FIRST:
      case ST_ARR_NEXT:
      case ST_ARR_AFTER:
        this.errorAt(
          say('json.unclosed', {end: say('json.end-of-file'), kind: say('json.the-array'), at: at(this.arrOpen)}),
          end,
        )
        break
      case ST_OBJ_FIRST:
      case ST_OBJ_NEXT:
      case ST_OBJ_COLON:
      case ST_OBJ_VALUE:
      case ST_OBJ_AFTER:
        this.unclosedObject(end, say('json.end-of-file'))
        break
    }
    this.state = ST_DEAD
  }

  // --- text and positions

  private positionOf(offset: number): JsonPosition {
    return {line: this.line, column: offset - this.lineStart + 1, offset}
  }

  private newline(c: number, offset: number): void {
    if (c === CH_CR) {
      this.line++
      this.lastCr = offset
    } else if (this.lastCr !== offset - 1) {
      this.line++
    }
    this.lineStart = offset + 1
  }

  /** The text between two absolute offsets; `from` may lie in carried-over text. */
  private text(from: number, to: number): string {
    const base = this.base
    if (from >= base) return this.s.slice(from - base, to - base)
    const starts = this.carryStarts
    let k = starts.length - 1
    while (k > 0 && (starts[k] ?? 0) > from) k--
    const first = starts[k] ?? 0
    let joined = this.carry.slice(k).join('')
    if (to > base) joined += this.s.slice(0, to - base)
    return joined.slice(from - first, to - first)
  }

  /** Where the last comma was, for "trailing comma" errors found only at the closing bracket. */
  private rememberComma(offset: number): void {
    this.commaOffset = offset
    this.commaLine = this.line
    this.commaCol = offset - this.lineStart + 1
  }

  /**
   * Before moving on to the next chunk, keeps the text of the current one still needed: the item in progress, or
   * the undecided top-level object. Called at the start of feed() so that finish() still sees the last chunk as is.
   */
  private retain(): void {
    let keep = this.retainFrom()
    if (keep >= 0 && this.end - keep >= SUSPECT_SIZE) {
      this.checkLongValue(keep)
      keep = this.retainFrom()
    }
    if (keep < 0) {
      this.carry = []
      this.carryStarts = []
    } else if (keep >= this.base) {
      this.carry = [this.s.slice(keep - this.base)]
      this.carryStarts = [keep]
    } else {
      this.carry.push(this.s)
      this.carryStarts.push(this.base)
    }
  }

  /**
   * A value still open after megabytes is either huge or the rest of the file read with the string state inverted
   * (a quote missing). Looking at what has been kept tells which, so a broken file is not buffered to its end.
   */
  private checkLongValue(keep: number): void {
    if (keep !== this.suspectStart) {
      this.suspectStart = keep
      this.suspectAt = SUSPECT_SIZE
    }
    if (this.end - keep < this.suspectAt) return
    this.suspectAt *= 2
    let start: JsonPosition
    if (this.state === ST_VALUE && keep === this.vStart) start = {line: this.vLine, column: this.vCol, offset: keep}
    else if (keep === this.objStart) start = {line: this.objLine, column: this.objCol, offset: keep}
    else return
    const text = this.text(keep, this.end)
    const problem = findSyntaxError(text, say('json.end-of-file'))
    // Problems at the end of the text only say that the value goes on in the next chunk.
    if (problem === undefined || problem.atEnd === true) return
    this.reportProblem(text, start, problem)
    this.fatal()
  }

  private retainFrom(): number {
    const st = this.state
    const undecided = !this.objWrapper
    if (st === ST_VALUE) {
      if (this.vFor === FOR_ELEMENT || this.vFor === FOR_TOP) return this.vStart
      return undecided ? this.objStart : this.vStart
    }
    if (st >= ST_OBJ_FIRST && st <= ST_OBJ_AFTER) {
      if (undecided) return this.objStart
      if (st === ST_OBJ_COLON || st === ST_OBJ_VALUE) return this.keyStart
    }
    return -1
  }

  // --- problems

  private errorAt(message: string, offset: number): void {
    this.errorAtPosition(message, this.positionOf(offset))
  }

  private errorAtPosition(message: string, position: JsonPosition): void {
    this.problems++
    this.out.push({
      kind: 'error',
      file: this.file,
      code: 'json.syntax',
      message,
      position,
      ndjsonLine: this.ndjson ? position.line : undefined,
    })
  }

  /** Reports the first syntax error in a piece of text that is known (or suspected) to be malformed. */
  private reportIn(text: string, start: JsonPosition, endLabel: string, fallback: string): void {
    const problem = findSyntaxError(text, endLabel)
    if (problem === undefined) this.errorAtPosition(fallback, start)
    else this.reportProblem(text, start, problem)
  }

  private reportProblem(text: string, start: JsonPosition, problem: SyntaxProblem): void {
    let lines: number[] | undefined
    const place = (offset: number): JsonPosition => positionInText(text, offset, start, (lines ??= lineStarts(text)))
    const message =
      problem.opener === undefined ? problem.message : problem.message.replace('%at', at(place(problem.opener)))
    this.errorAtPosition(message, place(problem.offset))
  }

  /** After an error that leaves the structure in doubt: NDJSON goes on with the next line, JSON stops the file. */
  private fatal(): void {
    this.state = this.ndjson ? ST_SKIP_LINE : ST_DEAD
  }

  /** The value in progress cannot be finished (mismatched bracket, end of line or file): say where it went wrong. */
  private brokenValue(upTo: number, endLabel: string): void {
    const start = {line: this.vLine, column: this.vCol, offset: this.vStart}
    this.reportIn(this.text(this.vStart, upTo), start, endLabel, say('json.unexpected-end', {end: endLabel}))
  }

  private unclosedObject(upTo: number, endLabel: string): void {
    if (this.objWrapper) {
      const opened = at({line: this.objLine, column: this.objCol, offset: this.objStart})
      this.errorAt(say('json.unclosed', {end: endLabel, kind: say('json.the-object'), at: opened}), upTo)
    } else if (!this.objBroken) {
      // An undecided object is kept whole, so the first error in it can be reported, not just the missing '}'.
      const start = {line: this.objLine, column: this.objCol, offset: this.objStart}
      this.reportIn(this.text(this.objStart, upTo), start, endLabel, say('json.unexpected-end', {end: endLabel}))
    }
  }

  private endOfLine(offset: number): void {
    switch (this.state) {
      case ST_ARR_FIRST:
      case ST_ARR_NEXT:
      case ST_ARR_AFTER:
        this.errorAt(say('json.unclosed-ndjson', {at: at(this.arrOpen)}), offset)
        break
      case ST_OBJ_FIRST:
      case ST_OBJ_NEXT:
      case ST_OBJ_COLON:
      case ST_OBJ_VALUE:
      case ST_OBJ_AFTER:
        this.unclosedObject(offset, say('json.end-of-line'))
        break
    }
    this.state = ST_TOP
  }

  // --- structure between items

  private structural(st: number, c: number, i: number): number {
    const offset = this.base + i
    switch (st) {
      case ST_TOP:
        return this.topValue(c, i)
      case ST_LINE_END:
        this.errorAt(say('json.after-ndjson-value', {found: describeAt(this.s, i)}), offset)
        this.state = ST_SKIP_LINE
        return i + 1
      case ST_ARR_FIRST:
      case ST_ARR_NEXT:
        if (c === CH_CLOSE_BRACKET) {
          if (st === ST_ARR_NEXT) {
            this.errorAtPosition(say('json.trailing-comma', {close: ']'}), {
              line: this.commaLine,
              column: this.commaCol,
              offset: this.commaOffset,
            })
          }
          return this.closeArray(i)
        }
        if (c === CH_COMMA) {
          this.errorAt(say('json.expected-value', {found: "','"}), offset)
          return i + 1
        }
        if (c === CH_CLOSE_BRACE || c === CH_COLON) {
          this.errorAt(say('json.expected-value-or-close', {found: describeAt(this.s, i)}), offset)
          this.fatal()
          return i + 1
        }
        return this.beginValue(c, FOR_ELEMENT, i)
      case ST_ARR_AFTER:
        if (c === CH_COMMA) {
          this.rememberComma(offset)
          this.state = ST_ARR_NEXT
          return i + 1
        }
        if (c === CH_CLOSE_BRACKET) return this.closeArray(i)
        if (c === CH_CLOSE_BRACE || c === CH_COLON) {
          this.errorAt(say('json.expected-after-element', {found: describeAt(this.s, i)}), offset)
          this.fatal()
          return i + 1
        }
        this.errorAt(say('json.expected-after-element', {found: describeAt(this.s, i)}), offset)
        // A value right after a value is most likely just a missing comma: read the element. Anything else is noise.
        if (c === CH_OPEN_BRACE || c === CH_OPEN_BRACKET || c === CH_QUOTE || isWordStart(c)) {
          return this.beginValue(c, FOR_ELEMENT, i)
        }
        this.fatal()
        return i + 1
      case ST_OBJ_FIRST:
      case ST_OBJ_NEXT:
        if (c === CH_QUOTE) return this.beginValue(c, FOR_KEY, i)
        if (c === CH_CLOSE_BRACE) {
          if (st === ST_OBJ_NEXT) {
            this.errorAtPosition(say('json.trailing-comma', {close: '}'}), {
              line: this.commaLine,
              column: this.commaCol,
              offset: this.commaOffset,
            })
            // The entity's own JSON.parse would report this comma a second time.
            this.objBroken = true
          }
          return this.closeObject(i)
        }
        this.errorAt(propertyNameProblem(this.s, i), offset)
        this.fatal()
        return i + 1
      case ST_OBJ_COLON:
        if (c === CH_COLON) {
          this.state = ST_OBJ_VALUE
          return i + 1
        }
        this.errorAt(say('json.expected-colon', {found: describeAt(this.s, i)}), offset)
        this.fatal()
        return i + 1
      case ST_OBJ_VALUE:
        return this.memberValue(c, i)
      case ST_OBJ_AFTER:
        if (c === CH_COMMA) {
          this.rememberComma(offset)
          this.state = ST_OBJ_NEXT
          return i + 1
        }
        if (c === CH_CLOSE_BRACE) return this.closeObject(i)
        this.errorAt(say('json.expected-after-property', {found: describeAt(this.s, i)}), offset)
        this.fatal()
        return i + 1
    }
    return i + 1
  }

  private topValue(c: number, i: number): number {
    const offset = this.base + i
    this.topLine = this.line
    this.sawContent = true
    if (c === CH_OPEN_BRACKET || c === CH_OPEN_BRACE) {
      if (this.topCount++ === 0) this.firstShape = c === CH_OPEN_BRACKET ? 'array' : 'entity'
      if (c === CH_OPEN_BRACKET) {
        this.openArray(i, true, undefined, '', this.fileHint)
      } else {
        this.objStart = offset
        this.objLine = this.line
        this.objCol = offset - this.lineStart + 1
        this.objWrapper = false
        this.objBroken = false
        this.objSawId = false
        this.objLastMemberEnd = -1
        this.state = ST_OBJ_FIRST
      }
      return i + 1
    }
    if (c === CH_COMMA || c === CH_COLON || c === CH_CLOSE_BRACKET || c === CH_CLOSE_BRACE) {
      const what = describeAt(this.s, i)
      this.errorAt(
        this.topCount > 0 && !this.ndjson
          ? say('json.after-json-value', {found: what})
          : say('json.expected-value', {found: what}),
        offset,
      )
      this.fatal()
      return i + 1
    }
    return this.beginValue(c, FOR_TOP, i)
  }

  private openArray(i: number, top: boolean, bodyKey: string | undefined, prefix: string, hint?: EntityName): void {
    const offset = this.base + i
    this.arrTop = top
    this.arrBodyKey = bodyKey
    this.arrPrefix = prefix
    this.arrHint = hint
    this.arrIndex = 0
    this.arrOpen = this.positionOf(offset)
    this.state = ST_ARR_FIRST
  }

  private closeArray(i: number): number {
    if (this.arrTop) this.topDone()
    else this.state = ST_OBJ_AFTER
    return i + 1
  }

  private topDone(): void {
    this.state = this.ndjson ? ST_LINE_END : ST_TOP
  }

  private memberValue(c: number, i: number): number {
    if (c === CH_COMMA || c === CH_COLON || c === CH_CLOSE_BRACKET || c === CH_CLOSE_BRACE) {
      this.errorAt(say('json.expected-value', {found: describeAt(this.s, i)}), this.base + i)
      this.fatal()
      return i + 1
    }
    if (this.objWrapper || c === CH_OPEN_BRACKET) {
      const key = this.decodeKey()
      if (key === undefined) return i + 1
      if (c === CH_OPEN_BRACKET && !this.objSawId && (key === 'data' || entityFromName(key) !== undefined)) {
        this.enterWrapper(key, i)
        return i + 1
      }
      this.memberKey = key
    } else if (this.keyEnd - this.keyStart === 4 && this.text(this.keyStart, this.keyEnd) === '"id"') {
      // An object with its own id is an entity even if it has an array under a name like `groups` (Activity does).
      this.objSawId = true
    }
    return this.beginValue(c, FOR_MEMBER, i)
  }

  private decodeKey(): string | undefined {
    const raw = this.text(this.keyStart, this.keyEnd)
    if (!NEEDS_DECODING.test(raw)) return raw.slice(1, -1)
    try {
      return JSON.parse(raw) as string
    } catch {
      const start = this.positionOfKnown(this.keyStart)
      this.reportIn(raw, start, say('json.end-of-file'), say('json.invalid-name'))
      this.fatal()
      return undefined
    }
  }

  /** Position of an offset on the current line or earlier, from the value scanner's record of the key. */
  private positionOfKnown(offset: number): JsonPosition {
    return offset === this.vStart ? {line: this.vLine, column: this.vCol, offset} : this.positionOf(offset)
  }

  private enterWrapper(key: string, i: number): void {
    if (!this.objWrapper) {
      this.objWrapper = true
      if (this.topCount === 1) this.firstShape = 'wrapper'
      if (this.objLastMemberEnd >= 0) {
        // The members before the first wrapper key are extras: close them into an object and parse that.
        const text = this.text(this.objStart, this.objLastMemberEnd) + '}'
        try {
          assignOwn(this.extras, JSON.parse(text) as Record<string, unknown>)
        } catch {
          const start = {line: this.objLine, column: this.objCol, offset: this.objStart}
          this.reportIn(text, start, say('json.end-of-file'), say('json.invalid-value'))
        }
      }
    }
    if (!this.bodyKeys.includes(key)) this.bodyKeys.push(key)
    this.openArray(i, false, key, `/${escapePointer(key)}`, entityFromName(key) ?? this.fileHint)
  }

  private closeObject(i: number): number {
    const end = this.base + i + 1
    if (!this.objWrapper && !this.objBroken) {
      this.emitItem(
        this.text(this.objStart, end),
        this.objStart,
        this.objLine,
        this.objCol,
        '',
        undefined,
        this.fileHint,
      )
    }
    this.topDone()
    return i + 1
  }

  // --- values

  private beginValue(c: number, purpose: number, i: number): number {
    const offset = this.base + i
    this.vFor = purpose
    this.vStart = offset
    this.vLine = this.line
    this.vCol = offset - this.lineStart + 1
    this.state = ST_VALUE
    if (c === CH_OPEN_BRACE || c === CH_OPEN_BRACKET) {
      this.vKind = K_CONTAINER
      this.vStack[0] = c + 2 // the matching closer: '{' + 2 is '}', '[' + 2 is ']'
      this.vDepth = 1
      this.vInString = false
      this.vEscape = false
      return i + 1
    }
    if (c === CH_QUOTE) {
      this.vKind = K_STRING
      this.vEscape = false
      return i + 1
    }
    this.vKind = K_SCALAR
    return i
  }

  /** Finds the end of an object or array. The hot loop: keep it free of allocations and calls. */
  private scanContainer(s: string, i: number): number {
    const n = s.length
    const stack = this.vStack
    let depth = this.vDepth
    let inString = this.vInString
    if (this.vEscape) {
      this.vEscape = false
      const c = s.charCodeAt(i)
      if (c !== CH_LF && c !== CH_CR) i++
    }
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (inString) {
        if (c > CH_BACKSLASH) continue
        if (c === CH_QUOTE) inString = false
        else if (c === CH_BACKSLASH) {
          if (i + 1 === n) this.vEscape = true
          else {
            const next = s.charCodeAt(i + 1)
            if (next !== CH_LF && next !== CH_CR) i++
          }
        } else if (c === CH_LF || c === CH_CR) {
          if (this.ndjson) {
            this.vDepth = depth
            this.vInString = inString
            return this.valueHitsEndOfLine(s, i)
          }
          // Strings cannot span lines, but one that closes later keeps the structure intact: JSON.parse reports it.
          this.newline(c, this.base + i)
        }
        continue
      }
      if (c === CH_QUOTE) {
        // Most strings close on the same line in the same chunk: let indexOf find the end instead of the loop.
        const close = this.closingQuote(s, i)
        if (close < 0) inString = true
        else i = close
      } else if (c === CH_OPEN_BRACE || c === CH_OPEN_BRACKET) stack[depth++] = c + 2
      else if (c === CH_CLOSE_BRACE || c === CH_CLOSE_BRACKET) {
        if (stack[--depth] !== c) {
          this.vDepth = depth
          this.brokenValue(this.base + i + 1, say('json.end-of-file'))
          this.fatal()
          return i + 1
        }
        if (depth === 0) {
          this.vDepth = 0
          this.vInString = false
          this.completeValue(this.base + i + 1)
          return i + 1
        }
      } else if (c === CH_LF || c === CH_CR) {
        if (this.ndjson) {
          this.vDepth = depth
          this.vInString = inString
          return this.valueHitsEndOfLine(s, i)
        }
        this.newline(c, this.base + i)
      }
    }
    this.vDepth = depth
    this.vInString = inString
    return n
  }

  private scanString(s: string, i: number): number {
    const n = s.length
    if (this.vEscape) {
      this.vEscape = false
      const c = s.charCodeAt(i)
      if (c !== CH_LF && c !== CH_CR) i++
    } else if (i > 0 && i === this.vStart - this.base + 1) {
      const close = this.closingQuote(s, i - 1)
      if (close >= 0) {
        this.completeValue(this.base + close + 1)
        return close + 1
      }
    }
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c > CH_BACKSLASH) continue
      if (c === CH_QUOTE) {
        this.completeValue(this.base + i + 1)
        return i + 1
      }
      if (c === CH_BACKSLASH) {
        if (i + 1 === n) this.vEscape = true
        else {
          const next = s.charCodeAt(i + 1)
          if (next !== CH_LF && next !== CH_CR) i++
        }
      } else if (c === CH_LF || c === CH_CR) {
        if (this.ndjson) return this.valueHitsEndOfLine(s, i)
        this.newline(c, this.base + i)
      }
    }
    return n
  }

  private scanToken(s: string, i: number): number {
    const n = s.length
    for (; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c < 128 && DELIMITER[c] === 1) {
        this.completeValue(this.base + i)
        return i
      }
    }
    return n
  }

  /**
   * Index of the quote closing the string that opens at `open`, when it closes within this chunk and before the next
   * line break; otherwise -1 and the caller scans character by character.
   */
  private closingQuote(s: string, open: number): number {
    let from = open + 1
    for (;;) {
      const quote = s.indexOf('"', from)
      if (quote < 0) return -1
      let k = quote - 1
      while (s.charCodeAt(k) === CH_BACKSLASH) k--
      if (((quote - 1 - k) & 1) === 0) return quote < this.nextLineBreak(open) ? quote : -1
      from = quote + 1
    }
  }

  /** Index of the first line break at or after i in this chunk (the chunk's length if none), cached per chunk. */
  private nextLineBreak(i: number): number {
    const s = this.s
    let lf = this.nextLf
    if (lf < i) {
      lf = s.indexOf('\n', i)
      this.nextLf = lf = lf < 0 ? s.length : lf
    }
    let cr = this.nextCr
    if (cr < i) {
      cr = s.indexOf('\r', i)
      this.nextCr = cr = cr < 0 ? s.length : cr
    }
    return lf < cr ? lf : cr
  }

  /** NDJSON: a line ended inside a value. Report it and go on with the next line. */
  private valueHitsEndOfLine(s: string, i: number): number {
    const offset = this.base + i
    this.brokenValue(offset, say('json.end-of-line'))
    this.newline(s.charCodeAt(i), offset)
    this.state = ST_TOP
    return i + 1
  }

  private completeValue(end: number): void {
    const start = this.vStart
    switch (this.vFor) {
      case FOR_ELEMENT: {
        const text = this.text(start, end)
        const ok = this.emitItem(
          text,
          start,
          this.vLine,
          this.vCol,
          `${this.arrPrefix}/${this.arrIndex}`,
          this.arrBodyKey,
          this.arrHint,
        )
        this.arrIndex++
        this.state = ST_ARR_AFTER
        // A stray word ends where it seems to, but punctuation such as a comment may hide more: stop there.
        if (!ok && this.vKind === K_SCALAR && !isWordStart(text.charCodeAt(0))) this.fatal()
        return
      }
      case FOR_TOP: {
        const text = this.text(start, end)
        if (this.topCount > 0 && !this.ndjson) {
          let value: unknown
          try {
            value = JSON.parse(text)
          } catch {
            this.errorAtPosition(say('json.after-json-value', {found: quoteToken(text)}), {
              line: this.vLine,
              column: this.vCol,
              offset: start,
            })
            this.fatal()
            return
          }
          this.topCount++
          this.pushItem(value, text, start, this.vLine, this.vCol, '', undefined, this.fileHint)
          this.topDone()
          return
        }
        if (this.emitItem(text, start, this.vLine, this.vCol, '', undefined, this.fileHint)) {
          if (this.topCount++ === 0) this.firstShape = 'entity'
          this.topDone()
        } else {
          this.fatal()
        }
        return
      }
      case FOR_KEY:
        this.keyStart = start
        this.keyEnd = end
        this.state = ST_OBJ_COLON
        return
      case FOR_MEMBER:
        if (!this.objWrapper) {
          this.objLastMemberEnd = end
        } else {
          const text = this.text(start, end)
          try {
            assignOwn(this.extras, {[this.memberKey]: JSON.parse(text) as unknown})
          } catch {
            this.reportIn(
              text,
              {line: this.vLine, column: this.vCol, offset: start},
              say('json.end-of-file'),
              say('json.invalid-value'),
            )
          }
        }
        this.state = ST_OBJ_AFTER
        return
    }
  }

  /** Parses an item's text and queues it; on a syntax error reports it instead and returns false. */
  private emitItem(
    text: string,
    offset: number,
    line: number,
    column: number,
    pointer: string,
    bodyKey: string | undefined,
    hint: EntityName | undefined,
  ): boolean {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      this.reportIn(text, {line, column, offset}, say('json.end-of-file'), say('json.invalid-json-value'))
      return false
    }
    this.pushItem(value, text, offset, line, column, pointer, bodyKey, hint)
    return true
  }

  private pushItem(
    value: unknown,
    text: string,
    offset: number,
    line: number,
    column: number,
    pointer: string,
    bodyKey: string | undefined,
    hint: EntityName | undefined,
  ): void {
    const position = {line, column, offset}
    this.out.push({
      kind: 'item',
      file: this.file,
      value,
      bodyKey,
      entityHint: hint,
      pointer,
      index: this.items++,
      position,
      ndjsonLine: this.ndjson ? this.topLine : undefined,
      locate: makeLocator(text, position),
    } satisfies ItemEvent)
  }
}

function issue(file: string, kind: 'error' | 'warning', code: JsonInputIssueCode, message: string): IssueEvent {
  return {kind, file, code, message}
}

/** Sets own properties, so a `__proto__` key stays data instead of changing the prototype. */
function assignOwn(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const key of Object.keys(source)) {
    Object.defineProperty(target, key, {value: source[key], enumerable: true, writable: true, configurable: true})
  }
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1')
}

function at(position: JsonPosition): string {
  return `${position.line}:${position.column}`
}

function isWordStart(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122) || c === 45 || c === 43 || c === 46
}

function quoteToken(text: string): string {
  return text.length > 30 ? `'${text.slice(0, 30)}…'` : `'${text}'`
}
