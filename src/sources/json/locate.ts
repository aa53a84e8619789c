/** Positions inside an item: line and column of an offset, and the lazy JSON-pointer locator each item carries. */
import {parseTree, type Node as JsonNode} from 'jsonc-parser'

import {CH_CR, CH_LF} from './char-codes.js'
import type {JsonPosition} from './events.js'

/** Offsets (within text) where a new line starts; \r\n, \r and \n each end a line. */
export function lineStarts(text: string): number[] {
  const starts: number[] = []
  const n = text.length
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === CH_LF) starts.push(i + 1)
    else if (c === CH_CR) {
      if (text.charCodeAt(i + 1) === CH_LF) i++
      starts.push(i + 1)
    }
  }
  return starts
}

/** Position of an offset in text that starts at `start`, given the text's lineStarts. */
export function positionInText(text: string, offset: number, start: JsonPosition, starts: number[]): JsonPosition {
  const rel = Math.max(0, Math.min(offset, text.length))
  let lo = 0
  let hi = starts.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((starts[mid] ?? 0) <= rel) lo = mid + 1
    else hi = mid
  }
  if (lo === 0) return {line: start.line, column: start.column + rel, offset: start.offset + rel}
  return {line: start.line + lo, column: rel - (starts[lo - 1] ?? 0) + 1, offset: start.offset + rel}
}

/** The locate() of an item: parses the item's text into a tree only when first asked. */
export function makeLocator(source: string, start: JsonPosition): (pointer: string) => JsonPosition {
  const text = detach(source)
  let root: JsonNode | undefined
  let parsed = false
  let starts: number[] | undefined
  return (pointer: string): JsonPosition => {
    if (!parsed) {
      root = parseTree(text)
      parsed = true
    }
    const offset = root === undefined ? 0 : offsetOfPointer(root, pointer)
    return positionInText(text, offset, start, (starts ??= lineStarts(text)))
  }
}

/** Offset of the value a JSON pointer names, or of its closest existing ancestor. */
function offsetOfPointer(root: JsonNode, pointer: string): number {
  let rest = pointer.startsWith('#') ? decodeURIComponentSafe(pointer.slice(1)) : pointer
  if (rest === '') return root.offset
  if (!rest.startsWith('/')) rest = `/${rest}`
  let node = root
  for (const raw of rest.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    let next: JsonNode | undefined
    if (node.type === 'object') {
      // The last one wins, as with JSON.parse.
      for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? []
        if (keyNode?.value === segment && valueNode !== undefined) next = valueNode
      }
    } else if (node.type === 'array' && /^(0|[1-9][0-9]*)$/.test(segment)) {
      next = node.children?.[Number(segment)]
    }
    if (next === undefined) break
    node = next
  }
  return node.offset
}

/**
 * A copy of a string that does not keep its source alive. V8 makes slices that point into the parent string, so a
 * locate() closure holding a 200-byte slice would pin the whole 1 MiB chunk it came from.
 */
function detach(text: string): string {
  return (' ' + text).slice(1)
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
