import {cp, mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {type Browser, type BrowserContext, chromium, type Page} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {DiffSummary} from '../../src/diff/engine.js'
import {describeRootCause} from '../../src/report/root-causes-text.js'
import type {ConvertResult} from '../../src/services/convert.js'
import type {StageResult} from '../../src/services/stage.js'
import type {UploadReport} from '../../src/services/upload.js'
import {decodeWindows1252} from '../../src/sources/text-decoding.js'
import type {ValidateResult} from '../../src/services/validate.js'
import {makeCivicNumber} from '../../src/validation/identity.js'
import {makeTempDir, REPO_ROOT, runCli} from '../support/cli.js'
import {encodeWindows1252} from '../support/legacy-export.js'
import {findChromium} from './chromium.js'

/** Screenshots of every report, for a person to look at (CI keeps the folder as an artefact). */
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'browser')

const P1 = '1c9b3a5f-2d4e-4f60-9bac-1d2e3f4a5b60'
const P2 = '1c9b3a5f-2d4e-4f60-9bac-1d2e3f4a5b61'
const CIVIC = makeCivicNumber('2011-04-07', 123)
/** A valid number with its check digit broken: the report must show it masked, like every other. */
const BAD_CIVIC = `${CIVIC.slice(0, 11)}${(Number(CIVIC.slice(11)) + 1) % 10}`

let temp: {dir: string; cleanup: () => Promise<void>}
let browser: Browser
const validate: {json?: ValidateResult; html?: string} = {}
const diff: {json?: DiffSummary; html?: string} = {}
const converted: {json?: ConvertResult; html?: string} = {}
const staged: {json?: StageResult; html?: string} = {}
const planned: {json?: UploadReport; html?: string} = {}
/** The school unit code the dirty export's staff rows are moved to: one root cause behind many failures. */
const UNKNOWN_UNIT = '99999999'

beforeAll(async () => {
  // First, so a machine without Chromium fails at once with the message that says what to install.
  const executablePath = await findChromium()
  temp = await makeTempDir('ss12000-browser-')
  await mkdir(ARTIFACTS, {recursive: true})

  // validate: a small invalid input — a broken personnummer, a duplicate id, a record of no known type.
  const input = join(temp.dir, 'invalid')
  await mkdir(input)
  await writeFile(
    join(input, 'persons.json'),
    JSON.stringify([
      {id: P1, givenName: 'Alva', familyName: 'Ek', civicNo: {value: BAD_CIVIC}},
      {id: P2, givenName: 'Elis', familyName: '<img src=x onerror=alert(1)>'},
      {id: P2, givenName: 'Elis', familyName: 'Björk'},
    ]),
  )
  validate.html = join(temp.dir, 'validate.html')
  const validated = await runCli(['validate', input, '--json', '--html', validate.html])
  expect(validated.exitCode, validated.stderr).toBe(3)
  validate.json = JSON.parse(validated.stdout) as ValidateResult

  // diff: the bundled example against a copy with two persons changed and one grade gone.
  const left = join(temp.dir, 'left')
  const right = join(temp.dir, 'right')
  await cp(join(REPO_ROOT, 'examples', 'ss12000'), left, {recursive: true})
  await cp(left, right, {recursive: true})
  const persons = JSON.parse(await readFile(join(right, 'persons.json'), 'utf8')) as Array<Record<string, unknown>>
  persons[0]!.givenName = 'Ändrad'
  persons[1]!.familyName = '<script>alert(1)</script>'
  persons.pop()
  await writeFile(join(right, 'persons.json'), JSON.stringify(persons))
  diff.html = join(temp.dir, 'diff.html')
  const db = join(temp.dir, 'scratch.db')
  const diffed = await runCli(['diff', left, right, '--db', db, '--json', '--html', diff.html])
  expect(diffed.exitCode, diffed.stderr).toBe(1)
  diff.json = JSON.parse(diffed.stdout) as DiffSummary

  // convert: the bundled legacy export with half the staff rows at a school unit no students row has.
  const legacy = join(temp.dir, 'legacy')
  await cp(join(REPO_ROOT, 'examples', 'legacy'), legacy, {recursive: true})
  const staff = join(legacy, 'personal.csv')
  const lines = decodeWindows1252(await readFile(staff)).split('\n')
  const moved = lines.map((line, index) => (index % 2 === 1 ? line.replace(';33284873;', `;${UNKNOWN_UNIT};`) : line))
  await writeFile(staff, encodeWindows1252(moved.join('\n')))
  converted.html = join(temp.dir, 'convert.html')
  const config = join(REPO_ROOT, 'examples', 'ss12000.config.yaml')
  const convertArgs = ['convert', legacy, '-t', 'se-generic', '--config', config, '--out', join(temp.dir, 'out')]
  const convertRun = await runCli([...convertArgs, '--json', '--html', converted.html])
  expect(convertRun.exitCode, convertRun.stderr).toBe(3)
  converted.json = JSON.parse(convertRun.stdout) as ConvertResult

  // stage: the bundled example into a fresh database; upload: the dry run of its first upload (the journal is empty,
  // so no request is made).
  const stagingDb = join(temp.dir, 'staging.db')
  staged.html = join(temp.dir, 'stage.html')
  const stageRun = await runCli([
    'stage',
    join(REPO_ROOT, 'examples', 'ss12000'),
    '--db',
    stagingDb,
    '--scope',
    'skolan',
    '--json',
    '--html',
    staged.html,
  ])
  expect(stageRun.exitCode, stageRun.stderr).toBe(0)
  staged.json = JSON.parse(stageRun.stdout) as StageResult
  planned.html = join(temp.dir, 'upload.html')
  const target = 'http://127.0.0.1:9/v2.0'
  const dryRun = await runCli(['upload', target, '--db', stagingDb, '--dry-run', '--json', '--html', planned.html], {
    env: {SS12000_TOKEN: 'not-used-by-a-dry-run'},
  })
  expect(dryRun.exitCode, dryRun.stderr).toBe(0)
  planned.json = JSON.parse(dryRun.stdout) as UploadReport

  browser = await chromium.launch({executablePath})
})

afterAll(async () => {
  await browser?.close()
  await temp?.cleanup()
})

/**
 * Opens a report as a person would (a file: URL), with every request routed: anything but the file itself or a
 * data: URL is refused and recorded, so a report that reaches for the network fails.
 */
async function open(
  file: string,
  options: {javaScriptEnabled?: boolean} = {},
): Promise<{page: Page; context: BrowserContext; requests: string[]; errors: string[]}> {
  const context = await browser.newContext({viewport: {width: 1280, height: 900}, ...options})
  const requests: string[] = []
  const errors: string[] = []
  await context.route('**/*', async (route) => {
    const url = route.request().url()
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue()
    requests.push(url)
    return route.abort()
  })
  const page = await context.newPage()
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  await page.goto(`file://${file}`)
  return {page, context, requests, errors}
}

async function metric(page: Page, name: string): Promise<number> {
  const text = await page.locator(`[data-metric="${name}"] .value`).first().textContent()
  return Number((text ?? '').replaceAll(',', ''))
}

async function visibleRows(page: Page, selector: string): Promise<number> {
  return page.locator(selector).evaluateAll((rows) => rows.filter((row) => !row.hasAttribute('hidden')).length)
}

describe('validate --html in Chromium', () => {
  it('shows the numbers --json gives, and filters the issue groups', async () => {
    const {page, context, requests, errors} = await open(validate.html!)
    const {totals, groups} = validate.json!
    for (const name of ['records', 'valid', 'invalid', 'skipped', 'files', 'errors', 'warnings'] as const) {
      expect(await metric(page, name), name).toBe(totals[name])
    }
    expect(await metric(page, 'issue-groups')).toBe(groups.length)
    expect(await page.locator('.equation').getAttribute('data-reconciles')).toBe('true')
    await page.screenshot({path: join(ARTIFACTS, 'validate.png'), fullPage: true})

    const rows = '#issues-table > tbody > tr'
    expect(await visibleRows(page, rows)).toBe(groups.length)
    expect(groups.length).toBeGreaterThan(1)
    const controls = page.locator('.controls').filter({has: page.locator('input[aria-label="Search issues"]')})
    await expect.poll(() => controls.isVisible()).toBe(true)
    await controls.locator('input').fill('unique.id')
    expect(await visibleRows(page, rows)).toBe(1)
    expect(await controls.locator('.shown').textContent()).toBe(`1 of ${groups.length} shown`)
    await controls.locator('input').fill('')
    await controls.locator('select[data-filter="code"]').selectOption('identity.civic-no.checksum')
    expect(await visibleRows(page, rows)).toBe(1)
    expect(await page.locator(rows).filter({visible: true}).textContent()).toContain('Luhn')
    await page.screenshot({path: join(ARTIFACTS, 'validate-filtered.png'), fullPage: true})

    // Masked: the broken number shows only as its date part; the data's markup stays text.
    const html = await page.content()
    expect(html).not.toContain(BAD_CIVIC)
    expect(html).not.toContain(BAD_CIVIC.slice(8))
    expect(await page.locator('img').count()).toBe(0)
    expect(requests).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  })

  it('is complete without JavaScript: every row shows, the controls stay hidden', async () => {
    const {page, context, requests} = await open(validate.html!, {javaScriptEnabled: false})
    expect(await metric(page, 'invalid')).toBe(validate.json!.totals.invalid)
    expect(await visibleRows(page, '#issues-table > tbody > tr')).toBe(validate.json!.groups.length)
    expect(await page.locator('.controls').first().isVisible()).toBe(false)
    await page.screenshot({path: join(ARTIFACTS, 'validate-no-js.png'), fullPage: true})
    expect(requests).toEqual([])
    await context.close()
  })
})

describe('convert --html in Chromium', () => {
  it('shows the reconciliation and the root causes --json gives, and filters the issues by root cause', async () => {
    const {page, context, requests, errors} = await open(converted.html!)
    const {totals, rootCauses, issueGroups} = converted.json!
    for (const name of ['rows', 'accepted', 'rejected', 'skipped', 'errors', 'warnings'] as const) {
      expect(await metric(page, name), name).toBe(totals[name])
    }
    expect(totals.rows).toBe(totals.accepted + totals.rejected + totals.skipped)
    expect(await metric(page, 'root-causes')).toBe(rootCauses.length)
    const unit = rootCauses.find((cause) => cause.key === UNKNOWN_UNIT)!
    expect(unit).toBeDefined()
    // The causes in the order --json gives (most errors first), each with its count.
    const listed = page.locator('ol.causes > li[data-cause]')
    expect(await listed.evaluateAll((items) => items.map((item) => item.getAttribute('data-cause')))).toEqual(
      rootCauses.map(describeRootCause),
    )
    const item = page.locator(`ol.causes > li[data-cause="Organisation ${UNKNOWN_UNIT} is not in the input"]`)
    expect(await item.locator('.count').textContent()).toContain(`${unit.errors} error`)
    await page.screenshot({path: join(ARTIFACTS, 'convert.png'), fullPage: true})

    const rows = '#issues-table > tbody > tr'
    const all = await visibleRows(page, rows)
    expect(all).toBeGreaterThanOrEqual(issueGroups.length)
    const controls = page.locator('.controls').filter({has: page.locator('input[aria-label="Search issues"]')})
    await expect.poll(() => controls.isVisible()).toBe(true)
    await controls
      .locator('select[data-filter="cause"]')
      .selectOption(`Organisation ${UNKNOWN_UNIT} is not in the input`)
    expect(await visibleRows(page, rows)).toBe(unit.dependents.length)
    // The rows shown add up to the cause's count.
    const counts = await page.locator(rows).filter({visible: true}).locator('td.num').allTextContents()
    expect(counts.reduce((sum, text) => sum + Number(text.replaceAll(',', '')), 0)).toBe(unit.count)
    await page.screenshot({path: join(ARTIFACTS, 'convert-filtered.png'), fullPage: true})
    expect(requests).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  })
})

describe('stage and upload --html in Chromium', () => {
  it('stage: the counts --json gives, the reconciliation, and the entity table searched', async () => {
    const {page, context, requests, errors} = await open(staged.html!)
    const {totals} = staged.json!
    for (const name of ['records', 'staged', 'refused', 'withheld', 'skipped'] as const) {
      expect(await metric(page, name), name).toBe(totals[name])
    }
    expect(await page.locator('.equation').first().getAttribute('data-reconciles')).toBe('true')
    await page.screenshot({path: join(ARTIFACTS, 'stage.png'), fullPage: true})
    const rows = '#entities-table > tbody > tr'
    const all = await visibleRows(page, rows)
    expect(all).toBeGreaterThan(3)
    const controls = page.locator('.controls').filter({has: page.locator('input[aria-label="Search entity types"]')})
    await expect.poll(() => controls.isVisible()).toBe(true)
    await controls.locator('input').fill('Person')
    expect(await visibleRows(page, rows)).toBe(1)
    expect(requests).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  })

  it('upload: the plan --json gives, and the samples filtered by action', async () => {
    const {page, context, requests, errors} = await open(planned.html!)
    const entities = Object.values(planned.json!.plan.entities)
    for (const kind of ['create', 'update', 'upsert', 'unchanged'] as const) {
      expect(await metric(page, kind), kind).toBe(entities.reduce((sum, counts) => sum + (counts?.[kind] ?? 0), 0))
    }
    expect(await metric(page, 'create')).toBeGreaterThan(0)
    await page.screenshot({path: join(ARTIFACTS, 'upload-plan.png'), fullPage: true})
    const rows = '#samples-table > tbody > tr'
    const samples = planned.json!.samples
    expect(await visibleRows(page, rows)).toBe(samples.length)
    const controls = page
      .locator('.controls')
      .filter({has: page.locator('select[data-filter="entity"]')})
      .last()
    await expect.poll(() => controls.isVisible()).toBe(true)
    await controls.locator('select[data-filter="entity"]').selectOption('Person')
    expect(await visibleRows(page, rows)).toBe(samples.filter((sample) => sample.entity === 'Person').length)
    // Sample labels hold names and personnummer: masked.
    const html = await page.content()
    expect(html).not.toMatch(/\b\d{8}-?\d{4}\b/)
    expect(requests).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  })
})

describe('diff --html in Chromium', () => {
  it('shows the numbers --json gives, side by side, and filters the records', async () => {
    const {page, context, requests, errors} = await open(diff.html!)
    const entities = Object.values(diff.json!.entities)
    const sum = (key: 'changed' | 'onlyLeft' | 'onlyRight' | 'same') =>
      entities.reduce((acc, entity) => acc + entity[key], 0)
    expect(await metric(page, 'changed')).toBe(sum('changed'))
    expect(await metric(page, 'only-left')).toBe(sum('onlyLeft'))
    expect(await metric(page, 'only-right')).toBe(sum('onlyRight'))
    expect(await metric(page, 'same')).toBe(sum('same'))
    expect(sum('changed')).toBe(2)
    expect(diff.json!.entities.Person?.onlyLeft).toBe(1)
    await page.screenshot({path: join(ARTIFACTS, 'diff.png'), fullPage: true})

    const records = '#details-Person > tbody'
    const all = await visibleRows(page, records)
    expect(all).toBe(3)
    // The changed field, left and right side by side; the data's <script> stays text.
    const changed = page.locator(records).filter({hasText: 'Ändrad'})
    await expect.poll(() => changed.locator('td').allTextContents()).toContain('"Ändrad"')
    expect(await page.locator('script').count()).toBe(1)

    const controls = page.locator('#entity-Person .controls')
    await controls.locator('input').fill('Ändrad')
    expect(await visibleRows(page, records)).toBe(1)
    await controls.locator('input').fill('')
    await controls.locator('select[data-filter="kind"]').selectOption('only-left')
    expect(await visibleRows(page, records)).toBe(1)
    await controls.locator('select[data-filter="kind"]').selectOption('')
    expect(await visibleRows(page, records)).toBe(all)
    await controls.locator('input').fill('no record has this text')
    expect(await visibleRows(page, records)).toBe(0)
    expect(await controls.locator('.shown').textContent()).toBe(`0 of ${all} shown`)
    await page.screenshot({path: join(ARTIFACTS, 'diff-filtered.png'), fullPage: true})

    expect(requests).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  })
})
