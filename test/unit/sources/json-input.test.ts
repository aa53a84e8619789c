import {execFileSync} from 'node:child_process'
import * as fs from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'

import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {
  entityHintFromFileName,
  type JsonInputEvent,
  listJsonFiles,
  readJsonInput,
  type ReadJsonInputOptions,
} from '../../../src/sources/json-input.js'

type Item = Extract<JsonInputEvent, {kind: 'item'}>
type Issue = Extract<JsonInputEvent, {kind: 'error' | 'warning'}>
type FileSummary = Extract<JsonInputEvent, {kind: 'file'}>

let root: string
let counter = 0

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'json-input-'))
})

afterAll(async () => {
  await fs.rm(root, {recursive: true, force: true})
})

/** Writes a file in a fresh directory of its own, so tests never see each other's files. */
async function write(name: string, content: string | Uint8Array): Promise<string> {
  const dir = path.join(root, `case-${++counter}`)
  await fs.mkdir(dir, {recursive: true})
  const file = path.join(dir, name)
  await fs.writeFile(file, content)
  return file
}

async function collect(paths: string[], options?: ReadJsonInputOptions): Promise<JsonInputEvent[]> {
  const events: JsonInputEvent[] = []
  for await (const event of readJsonInput(paths, options)) events.push(event)
  return events
}

const itemsOf = (events: JsonInputEvent[]): Item[] => events.filter((e): e is Item => e.kind === 'item')
const issuesOf = (events: JsonInputEvent[]): Issue[] =>
  events.filter((e): e is Issue => e.kind === 'error' || e.kind === 'warning')
const summariesOf = (events: JsonInputEvent[]): FileSummary[] =>
  events.filter((e): e is FileSummary => e.kind === 'file')

/** Issues as 'code line:column message' lines, easy to compare in a table. */
const describeIssues = (events: JsonInputEvent[]): string[] =>
  issuesOf(events).map((e) => `${e.code} ${e.position ? `${e.position.line}:${e.position.column}` : '-'} ${e.message}`)

async function readOne(name: string, content: string | Uint8Array, options?: ReadJsonInputOptions) {
  const file = await write(name, content)
  const events = await collect([file], options)
  const summaries = summariesOf(events)
  expect(summaries).toHaveLength(1)
  expect(events.at(-1)?.kind).toBe('file')
  return {file, events, items: itemsOf(events), issues: describeIssues(events), summary: summaries[0]!}
}

describe('entityHintFromFileName', () => {
  it.each([
    ['persons.json', 'Person'],
    ['Person.json', 'Person'],
    ['organisations.json', 'Organisation'],
    ['persons-2024.json', 'Person'],
    ['persons_page2.ndjson', 'Person'],
    ['persons.page2.json', 'Person'],
    ['persons2.jsonl', 'Person'],
    ['studyPlans.json', 'StudyPlan'],
    ['activitites.json', 'Activity'],
    ['/some/dir/groups-1.json', 'Group'],
    ['personsX.json', undefined],
    ['groupMemberships.json', undefined],
    ['export.json', undefined],
    ['data.json', undefined],
  ])('%s → %s', (file, expected) => {
    expect(entityHintFromFileName(file)).toBe(expected)
  })
})

describe('shapes', () => {
  const person = (id: string) => ({id, givenName: 'Åsa', familyName: 'Öberg'})

  it.each([
    {
      name: 'one entity',
      file: 'persons.json',
      content: JSON.stringify(person('p1')),
      shape: 'entity',
      values: [person('p1')],
      pointers: [''],
      bodyKeys: [undefined],
      hints: ['Person'],
      extras: {},
    },
    {
      name: 'top-level array',
      file: 'persons.json',
      content: JSON.stringify([person('p1'), person('p2')]),
      shape: 'array',
      values: [person('p1'), person('p2')],
      pointers: ['/0', '/1'],
      bodyKeys: [undefined, undefined],
      hints: ['Person', 'Person'],
      extras: {},
    },
    {
      name: 'API page, pageToken null',
      file: 'persons.json',
      content: JSON.stringify({data: [person('p1'), person('p2')], pageToken: null}),
      shape: 'wrapper',
      values: [person('p1'), person('p2')],
      pointers: ['/data/0', '/data/1'],
      bodyKeys: ['data', 'data'],
      hints: ['Person', 'Person'],
      extras: {pageToken: null},
    },
    {
      name: 'API page, pageToken before data',
      file: 'page-3.json',
      content: JSON.stringify({pageToken: 'abc', data: [person('p1')], meta: {total: 9}}),
      shape: 'wrapper',
      values: [person('p1')],
      pointers: ['/data/0'],
      bodyKeys: ['data'],
      hints: [undefined],
      extras: {pageToken: 'abc', meta: {total: 9}},
    },
    {
      name: 'ingest body, one key',
      file: 'upload.json',
      content: JSON.stringify({persons: [person('p1')]}),
      shape: 'wrapper',
      values: [person('p1')],
      pointers: ['/persons/0'],
      bodyKeys: ['persons'],
      hints: ['Person'],
      extras: {},
    },
    {
      name: 'ingest body, two keys',
      file: 'upload.json',
      content: JSON.stringify({organisations: [{id: 'o1'}], persons: [person('p1'), person('p2')]}),
      shape: 'wrapper',
      values: [{id: 'o1'}, person('p1'), person('p2')],
      pointers: ['/organisations/0', '/persons/0', '/persons/1'],
      bodyKeys: ['organisations', 'persons', 'persons'],
      hints: ['Organisation', 'Person', 'Person'],
      extras: {},
    },
    {
      name: 'misspelled activitites key from the standard',
      file: 'upload.json',
      content: JSON.stringify({activitites: [{id: 'a1'}]}),
      shape: 'wrapper',
      values: [{id: 'a1'}],
      pointers: ['/activitites/0'],
      bodyKeys: ['activitites'],
      hints: ['Activity'],
      extras: {},
    },
    {
      name: 'body key beats file name',
      file: 'persons.json',
      content: JSON.stringify({groups: [{id: 'g1'}]}),
      shape: 'wrapper',
      values: [{id: 'g1'}],
      pointers: ['/groups/0'],
      bodyKeys: ['groups'],
      hints: ['Group'],
      extras: {},
    },
    {
      name: 'an entity with its own id and an array named like a collection stays an entity',
      file: 'activities.json',
      content: JSON.stringify({id: 'a1', groups: [{id: 'g1'}], teachers: []}),
      shape: 'entity',
      values: [{id: 'a1', groups: [{id: 'g1'}], teachers: []}],
      pointers: [''],
      bodyKeys: [undefined],
      hints: ['Activity'],
      extras: {},
    },
    {
      name: 'a collection key whose value is not an array is an ordinary member',
      file: 'thing.json',
      content: JSON.stringify({persons: null, data: {x: 1}}),
      shape: 'entity',
      values: [{persons: null, data: {x: 1}}],
      pointers: [''],
      bodyKeys: [undefined],
      hints: [undefined],
      extras: {},
    },
    {
      name: 'empty wrapper',
      file: 'persons.json',
      content: '{"data": [], "pageToken": null}',
      shape: 'wrapper',
      values: [],
      pointers: [],
      bodyKeys: [],
      hints: [],
      extras: {pageToken: null},
    },
    {
      name: 'concatenated JSON in a .json file',
      file: 'persons.json',
      content: `${JSON.stringify(person('p1'))}\n[${JSON.stringify(person('p2'))}]${JSON.stringify({data: [person('p3')]})}`,
      shape: 'sequence',
      values: [person('p1'), person('p2'), person('p3')],
      pointers: ['', '/0', '/data/0'],
      bodyKeys: [undefined, undefined, 'data'],
      hints: ['Person', 'Person', 'Person'],
      extras: {},
    },
    {
      name: 'scalars are items too (the engine says they are not entities)',
      file: 'odd.json',
      content: '[1, "two", null, true, -0.5e3]',
      shape: 'array',
      values: [1, 'two', null, true, -500],
      pointers: ['/0', '/1', '/2', '/3', '/4'],
      bodyKeys: [undefined, undefined, undefined, undefined, undefined],
      hints: [undefined, undefined, undefined, undefined, undefined],
      extras: {},
    },
  ])('$name', async ({file, content, shape, values, pointers, bodyKeys, hints, extras}) => {
    const {items, issues, summary} = await readOne(file, content)
    expect(issues).toEqual([])
    expect(items.map((i) => i.value)).toEqual(values)
    expect(items.map((i) => i.pointer)).toEqual(pointers)
    expect(items.map((i) => i.bodyKey)).toEqual(bodyKeys)
    expect(items.map((i) => i.entityHint)).toEqual(hints)
    expect(items.map((i) => i.index)).toEqual(values.map((_, n) => n))
    expect(summary).toMatchObject({shape, items: values.length, extras})
    expect(summary.bodyKeys).toEqual(
      shape === 'wrapper' && values.length === 0 ? ['data'] : [...new Set(bodyKeys.filter((k) => k !== undefined))],
    )
  })

  it('reads NDJSON with blank lines and CRLF, one item per line', async () => {
    const content = '{"id":"p1"}\r\n\r\n   \r\n{"id":"p2"}\r\n[{"id":"p3"},{"id":"p4"}]\n{"persons":[{"id":"p5"}]}'
    const {items, issues, summary} = await readOne('persons.ndjson', content)
    expect(issues).toEqual([])
    expect(items.map((i) => [(i.value as {id: string}).id, i.ndjsonLine, i.pointer, i.position.line])).toEqual([
      ['p1', 1, '', 1],
      ['p2', 4, '', 4],
      ['p3', 5, '/0', 5],
      ['p4', 5, '/1', 5],
      ['p5', 6, '/persons/0', 6],
    ])
    expect(items.map((i) => i.position.column)).toEqual([1, 1, 2, 14, 13])
    expect(items.every((i) => i.entityHint === 'Person')).toBe(true)
    expect(summary).toMatchObject({shape: 'ndjson', items: 5, bodyKeys: ['persons']})
  })

  it('treats .jsonl like .ndjson and any file like NDJSON when asked', async () => {
    const lines = '{"a":1}\n{"a":2}\n'
    expect(itemsOf(await collect([await write('x.JSONL', lines)])).map((i) => i.ndjsonLine)).toEqual([1, 2])
    const forced = await collect([await write('x.json', lines)], {ndjson: true})
    expect(itemsOf(forced).map((i) => i.ndjsonLine)).toEqual([1, 2])
    expect(summariesOf(forced)[0]?.shape).toBe('ndjson')
    // Without the option the same text in a .json file is a sequence of values.
    expect(summariesOf(await collect([await write('x.json', lines)]))[0]?.shape).toBe('sequence')
  })
})

describe('positions', () => {
  it('gives the line and column of each item in a pretty-printed file', async () => {
    const content = JSON.stringify({pageToken: null, data: [{id: 'a'}, {id: 'b', nested: {deep: [1, 2]}}]}, null, 2)
    const {items} = await readOne('persons.json', content)
    // {
    //   "pageToken": null,
    //   "data": [
    //     {            <- line 5? no: line 4, column 5
    expect(items.map((i) => [i.position.line, i.position.column])).toEqual([
      [4, 5],
      [7, 5],
    ])
    for (const item of items) expect(content.slice(item.position.offset, item.position.offset + 1)).toBe('{')
  })

  it('gives columns in a minified one-line file', async () => {
    const content = '[{"id":"a"},{"id":"b"},  {"id":"c"}]'
    const {items} = await readOne('persons.json', content)
    expect(items.map((i) => i.position)).toEqual([
      {line: 1, column: 2, offset: 1},
      {line: 1, column: 13, offset: 12},
      {line: 1, column: 26, offset: 25},
    ])
  })

  it('counts CRLF, lone CR and LF as one line break each, and columns in UTF-16 code units', async () => {
    const content = '[\r\n{"a":"😀"},\r{"b":1},\n  {"c":"å"}, {"d":1}]'
    const {items} = await readOne('x.json', content)
    expect(items.map((i) => [i.position.line, i.position.column])).toEqual([
      [2, 1],
      [3, 1],
      [4, 3],
      [4, 14],
    ])
    expect(items.map((i) => content[i.position.offset])).toEqual(['{', '{', '{', '{'])
  })

  it('counts an emoji as two columns', async () => {
    const {items} = await readOne('x.json', '["😀", {"a": 1}]')
    expect(items[1]?.position).toEqual({line: 1, column: 8, offset: 7})
  })

  describe('locate()', () => {
    const person = {
      id: 'p1',
      civicNo: {value: '200001011234', nationality: 'SE'},
      emails: [
        {value: 'a@example.se', type: 'Privat'},
        {value: 'b@example.se', type: 'Tjänst'},
      ],
      'odd/key~': {x: 1},
    }
    const content = JSON.stringify({pageToken: null, data: [{id: 'p0'}, person]}, null, 2)

    /** Position of the n-th occurrence of a snippet, as line:column. */
    const where = (snippet: string, nth = 0): string => {
      let offset = -1
      for (let k = 0; k <= nth; k++) offset = content.indexOf(snippet, offset + 1)
      const before = content.slice(0, offset)
      const line = before.split('\n').length
      return `${line}:${offset - before.lastIndexOf('\n')}`
    }

    it.each([
      ['', '{\n      "id": "p1"'],
      ['/id', '"p1"'],
      ['/civicNo', '{\n        "value": "200001011234"'],
      ['/civicNo/value', '"200001011234"'],
      ['/civicNo/missing', '{\n        "value": "200001011234"'],
      ['/civicNo/value/deeper', '"200001011234"'],
      ['/emails/1/value', '"b@example.se"'],
      ['/emails/1', '{\n          "value": "b@example.se"'],
      ['/emails/7', '[\n        {'],
      ['/emails/x', '[\n        {'],
      ['/nothing/at/all', '{\n      "id": "p1"'],
      ['/odd~1key~0/x', '1\n'],
      ['#/civicNo/value', '"200001011234"'],
    ])('%s', async (pointer, snippet) => {
      const {items} = await readOne('persons.json', content)
      const item = items[1]!
      const position = item.locate(pointer)
      expect(`${position.line}:${position.column}`).toBe(where(snippet))
      expect(content.slice(position.offset, position.offset + snippet.length)).toBe(snippet)
    })

    it('still works after the iteration has moved on, for every item', async () => {
      const file = await write('persons.json', content)
      const items = itemsOf(await collect([file]))
      expect(items[0]!.locate('/id')).toEqual({line: 5, column: 13, offset: 53})
      expect(items[1]!.locate('/emails/0/type')).toMatchObject({line: 16, column: 19})
    })

    it('works on one line and across CRLF lines', async () => {
      const {items} = await readOne('x.json', '[{"a": {"b": [10, 20]}},\r\n {"c":\r\n  "d"}]')
      expect(items[0]!.locate('/a/b/1')).toEqual({line: 1, column: 19, offset: 18})
      expect(items[1]!.locate('/c')).toEqual({line: 3, column: 3, offset: 36})
    })
  })
})

describe('encoding', () => {
  const utf16 = (text: string, bigEndian: boolean): Buffer => {
    const le = Buffer.from(`\ufeff${text}`, 'utf16le')
    return bigEndian ? Buffer.from(le).swap16() : le
  }

  it('strips a UTF-8 BOM; offsets and columns start after it', async () => {
    const {items, issues} = await readOne('x.json', '\ufeff[{"a":1}]')
    expect(issues).toEqual([])
    expect(items[0]?.position).toEqual({line: 1, column: 2, offset: 1})
  })

  it.each([
    ['little', false],
    ['big', true],
  ])('decodes UTF-16 %s-endian with a BOM and warns once', async (_name, bigEndian) => {
    const text = '[{"givenName":"Åsa 😀"},\n{"x":2}]'
    const {items, issues} = await readOne('x.json', utf16(text, bigEndian), {chunkSize: 3})
    expect(items.map((i) => i.value)).toEqual([{givenName: 'Åsa 😀'}, {x: 2}])
    expect(items[1]?.position).toEqual({line: 2, column: 1, offset: 25})
    expect(issues).toHaveLength(1)
    expect(issues[0]).toMatch(/^input\.utf16 - .*UTF-16.*UTF-8/)
  })

  it('reports invalid UTF-8 with its byte offset, after the items before it', async () => {
    const bytes = Buffer.concat([
      Buffer.from('[{"a":"ok"},\n {"name":"'),
      Buffer.from([0x4a, 0xe5, 0x6e]),
      Buffer.from('"}]'),
    ])
    for (const chunkSize of [1, 5, 64 * 1024]) {
      const {items, events} = await readOne('x.json', bytes, {chunkSize})
      expect(items.map((i) => i.value)).toEqual([{a: 'ok'}])
      const errors = issuesOf(events)
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatchObject({kind: 'error', code: 'input.encoding', position: {line: 2, column: 12}})
      expect(errors[0]?.message).toMatch(/byte offset 24 \(byte 0xE5\).*must be UTF-8/)
    }
  })

  it('reports a UTF-8 sequence cut off at the end of the file', async () => {
    const {events} = await readOne('x.json', Buffer.concat([Buffer.from('["'), Buffer.from([0xe2, 0x82])]))
    expect(issuesOf(events)).toMatchObject([
      {code: 'input.encoding', message: expect.stringMatching(/byte offset 2\b/)},
    ])
  })

  it('reads multi-byte characters split across every possible chunk boundary', async () => {
    const value = [{givenName: 'Åsa', familyName: 'Öberg-Ängström', note: 'smile 😀 and 𝄞', id: 'ä'}, {x: 'ö'}]
    const content = JSON.stringify(value, null, 1)
    const expected = await collect([await write('x.json', content)])
    for (const chunkSize of [1, 2, 3, 4, 5, 7, 11]) {
      const events = await collect([await write('x.json', content)], {chunkSize})
      expect(itemsOf(events).map((i) => i.value)).toEqual(value)
      expect(itemsOf(events).map((i) => i.position)).toEqual(itemsOf(expected).map((i) => i.position))
      expect(issuesOf(events)).toEqual([])
    }
  })
})

describe('syntax errors', () => {
  it.each([
    ['trailing comma in an object', 'x.json', '[\n  {"a": 1,}\n]', ["json.syntax 2:10 Trailing comma before '}'"]],
    ['trailing comma in an array', 'x.json', '[{"a": 1},\n]', ["json.syntax 1:10 Trailing comma before ']'"]],
    ['trailing comma in a single entity', 'x.json', '{"a": 1,\n}', ["json.syntax 1:8 Trailing comma before '}'"]],
    [
      'missing comma between properties',
      'x.json',
      '[{"a": 1 "b": 2}]',
      ["json.syntax 1:10 Expected ',' or '}' after a property value but found '\"'"],
    ],
    [
      'missing comma between elements',
      'x.json',
      '[{"a": 1}\n {"b": 2}]',
      ["json.syntax 2:2 Expected ',' or ']' after an array element but found '{'"],
    ],
    [
      'unterminated string',
      'x.json',
      '[{"a": 1}, {"b": "abc}]',
      ['json.syntax 1:18 Unterminated string: the end of file comes before its closing quote'],
    ],
    [
      'line break in a string',
      'x.json',
      '[{"a": "abc\ndef"}, {"b": 2}]',
      [
        'json.syntax 1:8 Unterminated string: a line break comes before its closing quote (write a line break inside a string as \\n)',
      ],
    ],
    [
      'unclosed array',
      'x.json',
      '[\n  {"a": 1},\n  {"b": 2}\n',
      ['json.syntax 4:1 Unexpected end of file: the array opened at 1:1 is not closed'],
    ],
    [
      'unclosed element',
      'x.json',
      '[\n  {"a": [1, 2}\n]',
      ["json.syntax 2:14 Expected ',' or ']' after an array element but found '}'"],
    ],
    [
      'unclosed wrapper',
      'x.json',
      '{"persons": [{"a": 1}]',
      ['json.syntax 1:23 Unexpected end of file: the object opened at 1:1 is not closed'],
    ],
    [
      'unclosed entity',
      'x.json',
      '{"a": {"b": 1}',
      ['json.syntax 1:15 Unexpected end of file: the object opened at 1:1 is not closed'],
    ],
    [
      'garbage after the value',
      'x.json',
      '{"a": 1}\n  xyz',
      ["json.syntax 2:3 Unexpected 'xyz' after the end of the JSON value"],
    ],
    [
      'closing bracket after the value',
      'x.json',
      '[{"a": 1}]]',
      ["json.syntax 1:11 Unexpected ']' after the end of the JSON value"],
    ],
    [
      'a bare word',
      'x.json',
      'hello',
      ["json.syntax 1:1 Unexpected word 'hello' — expected a value (strings must be in double quotes)"],
    ],
    [
      'capitalised literal',
      'x.json',
      '[{"a": True}]',
      ["json.syntax 1:8 Unexpected word 'True' — JSON's literals are lowercase: write true"],
    ],
    ['a truncated literal', 'x.json', '[{"a": nul}]', ["json.syntax 1:8 Unexpected word 'nul' — did you mean null?"]],
    ['NaN', 'x.json', '[NaN]', ["json.syntax 1:2 'NaN' is not allowed in JSON — use null or a string"]],
    [
      'undefined',
      'x.json',
      '{"a": undefined}',
      ["json.syntax 1:7 'undefined' is not allowed in JSON — use null or leave the property out"],
    ],
    [
      'single quotes',
      'x.json',
      "[{'a': 1}]",
      ['json.syntax 1:3 Property names must be in double quotes, not single quotes'],
    ],
    [
      'single-quoted value',
      'x.json',
      '[{"a": \'b\'}]',
      ['json.syntax 1:8 Strings must be in double quotes, not single quotes'],
    ],
    ['unquoted key', 'x.json', '{a: 1}', ['json.syntax 1:2 Property names must be in double quotes']],
    ['comment', 'x.json', '// persons\n[]', ['json.syntax 1:1 Comments are not allowed in JSON']],
    ['comment in an array', 'x.json', '[1, /* x */ 2]', ['json.syntax 1:5 Comments are not allowed in JSON']],
    ['leading zero', 'x.json', '[{"a": 012}]', ['json.syntax 1:9 Invalid number: leading zeros are not allowed']],
    [
      'bad fraction',
      'x.json',
      '[{"a": 1.}]',
      ["json.syntax 1:10 Invalid number: expected a digit after '.' but found '}'"],
    ],
    ['bad escape', 'x.json', '[{"a": "\\x41"}]', ["json.syntax 1:9 Invalid escape '\\x' in a string"]],
    [
      'bad unicode escape',
      'x.json',
      '[{"a": "\\u12G4"}]',
      ['json.syntax 1:9 Invalid escape: \\u must be followed by four hexadecimal digits'],
    ],
    [
      'tab in a string',
      'x.json',
      '[{"a": "x\ty"}]',
      ['json.syntax 1:10 Unescaped control character U+0009 in a string'],
    ],
    ['missing colon', 'x.json', '{"a" 1}', ["json.syntax 1:6 Expected ':' after the property name but found '1'"]],
    ['missing value', 'x.json', '[{"a": }]', ["json.syntax 1:8 Unexpected '}' — expected a value"]],
    ['stray comma', 'x.json', '[1,,2]', ["json.syntax 1:4 Unexpected ',' — expected a value"]],
    ['lone closing brace', 'x.json', '}', ["json.syntax 1:1 Unexpected '}' — expected a value"]],
    [
      'NDJSON value cut by the end of the line',
      'x.ndjson',
      '{"a": [1, 2\n{"b": 1}',
      ['json.syntax 1:12 Unexpected end of line: the array opened at 1:7 is not closed'],
    ],
    [
      'NDJSON string cut by the end of the line',
      'x.ndjson',
      '{"a": "x\n{"b": 1}',
      ['json.syntax 1:7 Unterminated string: the end of line comes before its closing quote'],
    ],
    [
      'two values on one NDJSON line',
      'x.ndjson',
      '{"a": 1} {"b": 2}\n',
      ["json.syntax 1:10 Unexpected '{' after the value: NDJSON allows one JSON value per line"],
    ],
    ['non-breaking space', 'x.json', '[\u00a01]', ['json.syntax 1:2 Unexpected character U+00A0 — expected a value']],
  ])('%s', async (_name, file, content, expected) => {
    const {events, issues} = await readOne(file, content)
    expect(issues).toEqual(expected)
    for (const issue of issuesOf(events)) {
      if (file.endsWith('.ndjson')) expect(issue.ndjsonLine).toBe(issue.position?.line)
      else expect(issue.ndjsonLine).toBeUndefined()
    }
  })

  it('gives the same errors and positions whatever the chunk size', async () => {
    const content = '[\n  {"a": 1},\n  {"b": [1, 2,]},\n  {"c": "å😀"}, {"d": tru},\n  {"e": 5}\n]'
    const baseline = await readOne('x.json', content)
    expect(baseline.issues).toEqual([
      "json.syntax 3:14 Trailing comma before ']'",
      "json.syntax 4:23 Unexpected word 'tru' — did you mean true?",
    ])
    for (const chunkSize of [1, 2, 3, 8, 13]) {
      const again = await readOne('x.json', content, {chunkSize})
      expect(again.issues).toEqual(baseline.issues)
      expect(again.items.map((i) => [i.value, i.pointer, i.position])).toEqual(
        baseline.items.map((i) => [i.value, i.pointer, i.position]),
      )
    }
  })
})

describe('recovery', () => {
  it('NDJSON goes on with the next line after a bad line', async () => {
    const content = ['{"id": 1}', '{"id": 2,}', '{"id": "3}', '{"id" 4}', 'oops', '', '{"id": 5}'].join('\n')
    const {items, issues, summary} = await readOne('x.ndjson', content)
    expect(items.map((i) => [(i.value as {id: number}).id, i.ndjsonLine, i.index])).toEqual([
      [1, 1, 0],
      [5, 7, 1],
    ])
    expect(issues).toEqual([
      "json.syntax 2:9 Trailing comma before '}'",
      'json.syntax 3:8 Unterminated string: the end of line comes before its closing quote',
      "json.syntax 4:7 Expected ':' after the property name but found '4'",
      "json.syntax 5:1 Unexpected word 'oops' — expected a value (strings must be in double quotes)",
    ])
    expect(summary).toMatchObject({shape: 'ndjson', items: 2})
  })

  it('skips a malformed element whose boundaries are clear and reads on', async () => {
    const content =
      '{"persons": [{"id": 1}, {"id": 02}, {"id": [1,]}, {"id": 4} {"id": 5}, {"id": 6},], "pageToken": "x"}'
    const {items, issues, summary} = await readOne('x.json', content)
    expect(items.map((i) => [(i.value as {id: number}).id, i.pointer])).toEqual([
      [1, '/persons/0'],
      [4, '/persons/3'],
      [5, '/persons/4'],
      [6, '/persons/5'],
    ])
    expect(issues).toEqual([
      'json.syntax 1:33 Invalid number: leading zeros are not allowed',
      "json.syntax 1:46 Trailing comma before ']'",
      "json.syntax 1:61 Expected ',' or ']' after an array element but found '{'",
      "json.syntax 1:81 Trailing comma before ']'",
    ])
    expect(summary).toMatchObject({shape: 'wrapper', items: 4, extras: {pageToken: 'x'}})
  })

  it.each([
    [
      'a string left open swallows the rest of the file',
      '[{"id": 1}, {"id": "2}]',
      'json.syntax 1:20 Unterminated string: the end of file comes before its closing quote',
    ],
    [
      'a string left open runs over lines',
      '[{"id": 1}, {"id": "2},\n {"id": 3},\n {"id": 4}]\n',
      'json.syntax 1:20 Unterminated string: a line break comes before its closing quote (write a line break inside a string as \\n)',
    ],
    [
      'a string left open on one line is reported where the parse first fails',
      '[{"id": 1}, {"id": "2}, {"id": 3}, {"id": 4}]\n',
      "json.syntax 1:27 Expected ',' or '}' after a property value but found 'i'",
    ],
  ])('stops the file once when %s, keeping the items before', async (_name, content, expected) => {
    const {items, issues} = await readOne('x.json', content)
    expect(items.map((i) => i.value)).toEqual([{id: 1}])
    expect(issues).toEqual([expected])
  })

  it('stops a file read with the string state inverted instead of buffering it to the end', async () => {
    const content = `[{"id": 1}, {"id": "2}, ${'{"id": 3}, '.repeat(300_000)}{"id": 4}]`
    const {items, issues} = await readOne('x.json', content)
    expect(items.map((i) => i.value)).toEqual([{id: 1}])
    expect(issues).toEqual(["json.syntax 1:27 Expected ',' or '}' after a property value but found 'i'"])
  })

  it('reads values of several megabytes that are fine', async () => {
    const big = {id: 'big', photo: 'x'.repeat(3_000_000), list: Array.from({length: 100_000}, (_, k) => ({k}))}
    const array = await readOne('x.json', JSON.stringify([{id: 'a'}, big, {id: 'b'}]))
    expect(array.issues).toEqual([])
    expect(array.items.map((i) => (i.value as {id: string}).id)).toEqual(['a', 'big', 'b'])
    expect(array.items[1]?.value).toEqual(big)
    const entity = await readOne('big.json', JSON.stringify({note: big.photo, ...big, persons: null}))
    expect(entity.issues).toEqual([])
    expect(entity.summary.shape).toBe('entity')
    expect(entity.items[0]!.locate('/list/99999/k')).toMatchObject({line: 1})
  })

  it('stops at a mismatched bracket', async () => {
    const {items, issues} = await readOne('x.json', '[{"id": 1}, {"id": [2}, {"id": 3}]')
    expect(items.map((i) => i.value)).toEqual([{id: 1}])
    expect(issues).toEqual(["json.syntax 1:22 Expected ',' or ']' after an array element but found '}'"])
  })

  it('reports a bad member of a wrapper object and still reads the items', async () => {
    const {items, issues, summary} = await readOne('x.json', '{"pageToken": tru, "data": [{"id": 1}], "x": [}')
    expect(items.map((i) => i.value)).toEqual([{id: 1}])
    expect(issues).toEqual([
      "json.syntax 1:15 Unexpected word 'tru' — did you mean true?",
      "json.syntax 1:47 Unexpected '}' — expected a value",
    ])
    expect(summary.extras).toEqual({})
  })
})

describe('empty input', () => {
  it.each([
    ['empty.json', ''],
    ['blank.json', ' \n\t\r\n'],
    ['bom-only.json', '\ufeff'],
    ['blank.ndjson', '\n\n  \n'],
  ])('%s is a warning, not an error', async (name, content) => {
    const {items, events, summary} = await readOne(name, content)
    expect(items).toEqual([])
    expect(issuesOf(events)).toMatchObject([{kind: 'warning', code: 'json.empty'}])
    expect(summary).toMatchObject({shape: 'empty', items: 0, bodyKeys: [], extras: {}})
  })

  it('a file of one byte', async () => {
    const {items} = await readOne('x.json', '7')
    expect(items.map((i) => i.value)).toEqual([7])
  })
})

describe('paths', () => {
  let dir: string

  beforeAll(async () => {
    dir = path.join(root, 'tree')
    const files: Record<string, string> = {
      'z-other.json': '[{"z":1}]',
      'a-other.JSON': '[{"a":1}]',
      'persons.json': '[{"id":"p"}]',
      'Organisation.json': '{"id":"o"}',
      'sub/groups-2.ndjson': '{"id":"g2"}',
      'sub/groups-1.jsonl': '{"id":"g1"}',
      'sub/persons_more.json': '{"persons":[{"id":"p2"}]}',
      'sub/readme.txt': 'not json',
      'sub/deeper/activities.json': '[]',
      '.hidden.json': '[{"hidden":1}]',
      '.git/config.json': '{}',
      'node_modules/pkg/package.json': '{}',
      'sub/.cache/persons.json': '[]',
    }
    for (const [name, content] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(dir, name)), {recursive: true})
      await fs.writeFile(path.join(dir, name), content)
    }
    await fs.mkdir(path.join(dir, 'empty-dir'))
  })

  const expectedOrder = () =>
    [
      'Organisation.json',
      'persons.json',
      'sub/persons_more.json',
      'sub/groups-1.jsonl',
      'sub/groups-2.ndjson',
      'sub/deeper/activities.json',
      'a-other.JSON',
      'z-other.json',
    ].map((name) => path.join(dir, name))

  it('walks a directory in dependency order, skipping hidden files and node_modules', async () => {
    expect(await listJsonFiles([dir])).toEqual(expectedOrder())
  })

  it('reads the files in the order listJsonFiles gives', async () => {
    const events = await collect([dir])
    expect(summariesOf(events).map((s) => s.file)).toEqual(expectedOrder())
    expect(itemsOf(events).map((i) => i.entityHint)).toEqual([
      'Organisation',
      'Person',
      'Person',
      'Group',
      'Group',
      undefined,
      undefined,
    ])
  })

  it('processes several paths in the order given and reports what cannot be read', async () => {
    const missing = path.join(dir, 'no-such-file.json')
    const single = path.join(dir, 'persons.json')
    const events = await collect([single, missing, path.join(dir, 'empty-dir'), path.join(dir, 'sub', 'deeper')])
    expect(
      events.map((e) => `${e.kind} ${e.kind === 'item' || e.kind === 'file' ? path.relative(dir, e.file) : e.code}`),
    ).toEqual([
      'item persons.json',
      'file persons.json',
      'error input.unreadable',
      'warning input.no-files',
      'file sub/deeper/activities.json',
    ])
    expect(issuesOf(events)[0]).toMatchObject({
      file: missing,
      message: expect.stringMatching(/no such file or directory/),
    })
    expect(await listJsonFiles([missing, single])).toEqual([single])
  })

  it('reads an explicitly named file whatever its extension', async () => {
    const events = await collect([path.join(dir, 'sub', 'readme.txt')])
    expect(describeIssues(events)).toEqual([
      "json.syntax 1:1 Unexpected word 'not' — expected a value (strings must be in double quotes)",
    ])
  })

  it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)('reports a file it may not read', async () => {
    const file = await write('locked.json', '[]')
    await fs.chmod(file, 0o000)
    const events = await collect([file])
    expect(events).toMatchObject([
      {kind: 'error', code: 'input.unreadable', message: expect.stringMatching(/permission denied/)},
    ])
  })
})

describe('streaming', () => {
  it('reads 20,000 objects in a 4 MB array', async () => {
    const n = 20_000
    const record = (k: number) => ({id: `id-${k}`, givenName: 'Åsa', familyName: 'Öberg', civicNo: {value: `${k}`}})
    const file = await write(
      'persons.json',
      `[\n${Array.from({length: n}, (_, k) => JSON.stringify(record(k))).join(',\n')}\n]\n`,
    )
    let count = 0
    let last: Item | undefined
    for await (const event of readJsonInput([file])) {
      if (event.kind === 'item') {
        expect(event.index).toBe(count)
        count++
        last = event
      }
    }
    expect(count).toBe(n)
    expect(last?.value).toEqual(record(n - 1))
    expect(last?.position.line).toBe(n + 1)
    expect(last?.locate('/civicNo/value')).toMatchObject({line: n + 1})
  })

  it.skipIf(process.platform === 'win32')('yields items before the file has been written to the end', async () => {
    const fifo = path.join(root, `fifo-${++counter}.json`)
    execFileSync('mkfifo', [fifo])
    // Opening a FIFO blocks until the other end opens too, so reader and writer start together.
    const opening = fs.open(fifo, 'w')
    const iterator = readJsonInput([fifo])[Symbol.asyncIterator]()
    const firstComing = iterator.next()
    const writer = await opening
    await writer.write('[{"id": 1}, {"id": 2}, ')
    const first = await firstComing
    expect(first.value).toMatchObject({kind: 'item', value: {id: 1}})
    await writer.write('{"id": 3}]')
    await writer.close()
    const rest: JsonInputEvent[] = []
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) rest.push(next.value)
    expect(itemsOf(rest).map((i) => i.value)).toEqual([{id: 2}, {id: 3}])
  })

  it.skipIf(process.platform === 'win32')(
    'gives up on a file with a lost structure without reading it to the end',
    async () => {
      const fifo = path.join(root, `fifo-${++counter}.json`)
      execFileSync('mkfifo', [fifo])
      const opening = fs.open(fifo, 'w')
      const reading = collect([fifo])
      const writer = await opening
      // Far more than the reader may buffer, and the writer never closes: the reader must stop on its own.
      const writing = writer.write(`[{"id": 1}, {"id": "2}, ${'{"id": 3}, '.repeat(400_000)}`).catch(() => undefined)
      const events = await reading
      expect(describeIssues(events)).toEqual([
        "json.syntax 1:27 Expected ',' or '}' after a property value but found 'i'",
      ])
      expect(itemsOf(events)).toHaveLength(1)
      await writing
      await writer.close().catch(() => undefined)
    },
  )

  it('can be abandoned part way', async () => {
    const file = await write('x.json', JSON.stringify(Array.from({length: 5000}, (_, k) => ({k}))))
    let seen = 0
    for await (const event of readJsonInput([file], {chunkSize: 1024})) {
      if (event.kind === 'item' && ++seen === 10) break
    }
    expect(seen).toBe(10)
  })
})

describe('properties', () => {
  const settings = {numRuns: 150}

  it('never throws and always finishes, whatever the bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({maxLength: 80}),
          fc.string({unit: 'binary', maxLength: 60}).map((s) => Buffer.from(s)),
          fc
            .array(
              fc.constantFrom(
                '{',
                '}',
                '[',
                ']',
                ',',
                ':',
                '"a"',
                '"',
                '\\',
                '1',
                '-',
                'true',
                ' ',
                '\n',
                '\r',
                'å',
                '😀',
              ),
              {maxLength: 30},
            )
            .map((parts) => Buffer.from(parts.join(''))),
        ),
        fc.boolean(),
        fc.integer({min: 1, max: 9}),
        async (bytes, ndjson, chunkSize) => {
          const file = await write('any.json', bytes)
          const events = await collect([file], {ndjson, chunkSize})
          expect(summariesOf(events)).toHaveLength(1)
          expect(events.at(-1)?.kind).toBe('file')
          for (const event of events) {
            if (event.kind === 'item') expect(() => JSON.stringify(event.locate('/a/0'))).not.toThrow()
            if ((event.kind === 'error' || event.kind === 'warning') && event.position) {
              expect(event.position.line).toBeGreaterThanOrEqual(1)
              expect(event.position.column).toBeGreaterThanOrEqual(1)
            }
          }
        },
      ),
      settings,
    )
  })

  const token = (withLineBreaks: boolean) =>
    fc.constantFrom(
      ...['{', '}', '[', ']', ',', ':', '"a"', '"\\n"', '"\\q"', '1', '-', '0', '.5', 'e3', 'true', 'nul', ' ', '\t'],
      ...(withLineBreaks ? ['\n', '\r\n'] : []),
    )

  /** The elements JSON.parse finds, or undefined if it refuses the text. */
  const parsed = (text: string): unknown[] | undefined => {
    try {
      return JSON.parse(text) as unknown[]
    } catch {
      return undefined
    }
  }

  it('reports an error on an NDJSON line exactly when JSON.parse refuses it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(token(false), {maxLength: 16}), async (parts) => {
        // One line holding one array: valid exactly when JSON.parse says so.
        const content = `[${parts.join('')}]`
        const expected = parsed(content)
        const events = await collect([await write('x.ndjson', content)])
        const errors = events.filter((e) => e.kind === 'error')
        if (expected === undefined) {
          expect(errors.length).toBeGreaterThan(0)
        } else {
          expect(errors).toEqual([])
          expect(itemsOf(events).map((i) => i.value)).toEqual(expected)
        }
      }),
      {numRuns: 400},
    )
  })

  it('reports no error in a JSON file that JSON.parse accepts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(token(true), {maxLength: 16}),
        fc.integer({min: 1, max: 8}),
        async (parts, chunkSize) => {
          const content = `[${parts.join('')}]`
          const expected = parsed(content)
          fc.pre(expected !== undefined)
          const events = await collect([await write('x.json', content)], {chunkSize})
          expect(events.filter((e) => e.kind === 'error')).toEqual([])
          expect(itemsOf(events).map((i) => i.value)).toEqual(expected)
        },
      ),
      {numRuns: 200},
    )
  })

  it('gives back every element of an array of arbitrary JSON values, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue(), {maxLength: 8}),
        fc.constantFrom('array', 'wrapper', 'ndjson'),
        fc.boolean(),
        fc.integer({min: 1, max: 64}),
        async (values, shape, pretty, chunkSize) => {
          const expected = JSON.parse(JSON.stringify(values)) as unknown[]
          const stringify = (v: unknown) =>
            pretty && shape !== 'ndjson' ? JSON.stringify(v, null, 2) : JSON.stringify(v)
          const content =
            shape === 'array'
              ? stringify(values)
              : shape === 'wrapper'
                ? stringify({pageToken: null, data: values})
                : values.map((v) => JSON.stringify([v])).join('\n')
          const events = await collect([await write(shape === 'ndjson' ? 'x.ndjson' : 'x.json', content)], {chunkSize})
          expect(issuesOf(events).filter((e) => e.kind === 'error')).toEqual([])
          const items = itemsOf(events)
          expect(items.map((i) => i.value)).toEqual(expected)
          items.forEach((item, k) => {
            expect(item.locate('')).toEqual(item.position)
            expect(content.slice(item.position.offset, item.position.offset + 1)).toBe(JSON.stringify(expected[k])[0])
          })
        },
      ),
      settings,
    )
  })
})
