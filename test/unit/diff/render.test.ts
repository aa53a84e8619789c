import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {diff, type DiffResult} from '../../../src/diff/engine.js'
import {renderDiffCsv} from '../../../src/report/diff-csv.js'
import {escapeHtml, renderDiffHtml} from '../../../src/report/diff-html.js'
import {renderDiffJson} from '../../../src/report/diff-json.js'
import {renderDiffResult, renderDiffText} from '../../../src/report/diff-text.js'
import {makeTempDir} from '../../support/cli.js'
import {writeDataset} from '../../support/fictional.js'
import {datasetRecords, smallDataset, stage} from './fixtures.js'

let temp: {dir: string; cleanup: () => Promise<void>}
let result: DiffResult
let equal: DiffResult
let matched: DiffResult
const dataset = smallDataset()
const [first, second, third] = dataset.persons

beforeAll(async () => {
  temp = await makeTempDir('ss12000-diff-render-')
  const dbPath = join(temp.dir, 'ss12000.db')
  stage(dbPath, 'se-generic', datasetRecords(dataset))
  const copy = structuredClone(dataset)
  copy.persons[0]!.givenName = '<script>alert(1)</script>'
  copy.persons[1]!.familyName = '=HYPERLINK("http://evil.example")'
  copy.persons[2]!.civicNo!.value = `${third!.civicNo!.value.slice(0, 8)}0000`
  copy.persons[3]!.emails!.push({value: 'extra@exempelby.example', type: 'Privat'})
  copy.persons.splice(4, 1)
  const right = join(temp.dir, 'right')
  await writeDataset(right, copy)
  result = await diff({dbPath, left: {kind: 'staged'}, right: {kind: 'path', path: right}})
  const same = join(temp.dir, 'same')
  await writeDataset(same, dataset)
  equal = await diff({dbPath, left: {kind: 'staged'}, right: {kind: 'path', path: same}})
  matched = await diff({dbPath, left: {kind: 'staged'}, right: {kind: 'path', path: right}, match: {by: 'civicNo'}})
})
afterAll(async () => {
  await temp.cleanup()
})

const join_ = (chunks: Iterable<string>) => [...chunks].join('')

describe('renderDiffText', () => {
  it('gives the sides, a table per entity type, each differing record with its fields, and the verdict', () => {
    const text = renderDiffResult(result)
    expect(text).toContain(`Left:  scope se-generic now (batch 1) in ${join(temp.dir, 'ss12000.db')}`)
    expect(text).toContain(`Right: the JSON files under ${join(temp.dir, 'right')}`)
    expect(text).toContain('Records paired by id; personnummer masked (--reveal shows them).')
    expect(text).toMatch(/\n {2}Person +34 +33 +1 +0 +4 +29 +civicNo 1, emails 1, familyName 1, \+1 more\n/)
    expect(text).toContain(`  ~ ${first!.id} "${first!.givenName} ${first!.familyName}": changed 1 field`)
    expect(text).toContain(`      givenName  "${first!.givenName}" → "<script>alert(1)</script>"`)
    expect(text).toContain('(differs in masked digits; --reveal shows it)')
    expect(text).toContain('1 item only right')
    expect(text).toContain('+ {"type":"Privat","value":"extra@exempelby.example"}')
    expect(text).toMatch(/ {2}- [0-9a-f-]{36} "[^"]+": only left/)
    expect(text.trimEnd().split('\n').at(-1)).toBe('Differences: 4 changed, 1 only left, 0 only right. Exit code 1.')
    expect(text).not.toContain(third!.civicNo!.value)
    expect(text).toBe(join_(renderDiffText(result, result.details)).trimEnd())
  })

  it('says so when the sides are equal, and shows the match report when matching by key', () => {
    expect(renderDiffResult(equal).split('\n').at(-1)).toBe('No differences: the two sides hold the same records.')
    const text = renderDiffResult(matched)
    expect(text).toContain('Records paired Person by civicNo, the rest by id')
    expect(text).toContain('Person by civicNo: 32 matched; unmatched 2 left, 1 right.')
    expect(text).toContain(`[${third!.civicNo!.value.slice(0, 8)}-****]`)
  })
})

describe('renderDiffJson', () => {
  it('streams one document that parses to the diff result', () => {
    expect(JSON.parse(join_(renderDiffJson(result, result.details)))).toEqual(result)
    expect(JSON.parse(join_(renderDiffJson(equal, equal.details)))).toEqual(equal)
    expect(JSON.parse(join_(renderDiffJson(matched, matched.details)))).toEqual(matched)
  })
})

describe('renderDiffCsv', () => {
  const csv = () => join_(renderDiffCsv(result.details))
  it('writes one row per field change, with a BOM, semicolons and CRLF', () => {
    const text = csv()
    expect(text.startsWith('\ufeffentity;leftId;rightId;key;kind;path;left;right\r\n')).toBe(true)
    const lines = text.slice(1).split('\r\n')
    expect(lines.at(-1)).toBe('')
    expect(lines).toContain(
      `Person;${first!.id};${first!.id};;changed;givenName;${first!.givenName};<script>alert(1)</script>`,
    )
    expect(lines.filter((line) => line.includes(';only-left;'))).toEqual([
      `Person;${dataset.persons[4]!.id};;;only-left;;;`,
    ])
    const masked = `${third!.civicNo!.value.slice(0, 8)}-****`
    expect(lines).toContain(`Person;${third!.id};${third!.id};;changed;civicNo.value;${masked};${masked}`)
    expect(lines).toHaveLength(1 + 5 + 1)
  })

  it('guards formulas and quotes what needs quoting', () => {
    const row = csv()
      .split('\r\n')
      .find((line) => line.includes(second!.id))!
    expect(row).toBe(
      `Person;${second!.id};${second!.id};;changed;familyName;${second!.familyName};"'=HYPERLINK(""http://evil.example"")"`,
    )
    expect(csv()).toContain(';emails;"[{""type"":')
  })
})

describe('renderDiffHtml', () => {
  const html = () => join_(renderDiffHtml(result, result.details))

  it('is one self-contained file: nothing loaded from anywhere, a policy that forbids it', () => {
    const page = html()
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true)
    expect(page.trimEnd().endsWith('</html>')).toBe(true)
    expect(page).not.toMatch(/\s(src|href)\s*=\s*["']?\s*(https?:)?\/\//i)
    expect(page).not.toMatch(/<link\b/i)
    expect(page).not.toMatch(/@import|url\(/i)
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`)
    for (const href of page.matchAll(/href="([^"]*)"/g)) expect(href[1]).toMatch(/^#entity-/)
  })

  it('holds the summary numbers, the verdict and every record in plain HTML', () => {
    const page = html()
    expect(page).toContain(
      '<tr class="differs"><th scope="row"><a href="#entity-Person">Person</a></th><td class="num">34</td><td class="num">33</td><td class="num">1</td><td class="num">0</td><td class="num">4</td><td class="num">29</td>',
    )
    expect(page).toContain('<tr><th scope="row">Group</th><td class="num">5</td><td class="num">5</td>')
    expect(page).toContain('Differences: 4 changed, 1 only left, 0 only right.')
    expect(page.match(/<tbody class="(changed|only-left)"/g)).toHaveLength(5)
    expect(page).toContain('<div class="controls" hidden>')
    expect(page).toContain('masked (--reveal shows them)')
    expect(page).not.toContain(third!.civicNo!.value)
  })

  it('escapes every value: a <script> in the data stays text', () => {
    const page = html()
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(page).not.toContain('<script>alert(1)</script>')
    // The page's own script is the only one.
    expect(page.match(/<script>/g)).toHaveLength(1)
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
  })

  it('renders an equal diff and a match report', () => {
    expect(join_(renderDiffHtml(equal, equal.details))).toContain('<p>No record differs.</p>')
    const page = join_(renderDiffHtml(matched, matched.details))
    expect(page).toContain('<h3>Person matched by civicNo: 32 pairs</h3>')
    expect(page).toContain('<tr><th scope="row">unmatched</th><td class="num">2</td><td class="num">1</td></tr>')
  })
})
