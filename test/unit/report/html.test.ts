import {describe, expect, it} from 'vitest'

import {
  htmlContext,
  renderConvertHtml,
  renderStageHtml,
  renderUploadHtml,
  renderValidateHtml,
} from '../../../src/report/html/index.js'
import type {ConvertResult} from '../../../src/services/convert.js'
import type {StageResult} from '../../../src/services/stage.js'
import type {UploadReport} from '../../../src/services/upload.js'
import type {ValidateResult} from '../../../src/services/validate.js'
import {makeCivicNumber, maskCivicNumber} from '../../../src/validation/identity.js'
import type {IssueGroup} from '../../../src/validation/issue-groups.js'
import type {RootCause} from '../../../src/validation/root-causes.js'

const CIVIC = makeCivicNumber('2011-04-07', 123)
const join = (chunks: Iterable<string>) => [...chunks].join('')

/** Two groups; one whose value and message carry a civic number unmasked, as a service that forgot would. */
const groups: IssueGroup[] = [
  {
    severity: 'error',
    code: 'identity.civic-no.checksum',
    message: `Person.civicNo.value fails the Luhn check digit (${CIVIC})`,
    hint: 'Check the number against its source.',
    count: 7,
    first: [
      {
        source: {file: 'persons.json', line: 3, column: 14},
        entity: 'Person',
        id: 'p1',
        field: 'Person.civicNo.value',
        value: CIVIC,
      },
    ],
  },
  {
    severity: 'warning',
    code: 'schema.enum',
    message: 'A field <script>alert(1)</script> the schema does not know',
    count: 1,
    first: [{source: {file: 'groups.json', line: 9}}],
  },
]

const validated: ValidateResult = {
  valid: false,
  profile: 'ss12000-2020',
  mode: 'payload',
  files: [{file: 'persons.json', shape: 'array', records: 12, skipped: 1}],
  entities: {Person: {records: 11, valid: 4, invalid: 7}},
  totals: {files: 1, records: 12, valid: 4, invalid: 7, skipped: 1, errors: 7, warnings: 1},
  groups,
  rootCauses: [],
  otherGroups: groups,
}

function assertSelfContained(page: string): void {
  expect(page.startsWith('<!DOCTYPE html>')).toBe(true)
  expect(page.trimEnd().endsWith('</html>')).toBe(true)
  expect(page).not.toMatch(/\s(src|href)\s*=\s*["']?\s*(https?:)?\/\//i)
  expect(page).not.toMatch(/<link\b|@import|url\(/i)
  expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`)
  expect(page.match(/<script>/g)).toHaveLength(1)
}

const metric = (page: string, name: string) => new RegExp(`data-metric="${name}" data-value="(\\d+)"`).exec(page)?.[1]

describe('htmlContext', () => {
  it('escapes, and masks civic numbers unless revealed', () => {
    const masked = htmlContext({reveal: false})
    expect(masked.text(`<b>${CIVIC}</b>`)).toBe(`&lt;b&gt;${maskCivicNumber(CIVIC)}&lt;/b&gt;`)
    expect(masked.code(undefined)).toBe('')
    expect(htmlContext({reveal: true}).text(CIVIC)).toBe(CIVIC)
    // Ids (UUIDs) and dates are left alone.
    expect(masked.text('0b8a2f4e-1c3d-4e5f-8a9b-0c1d2e3f4a50 2026-08-17')).toBe(
      '0b8a2f4e-1c3d-4e5f-8a9b-0c1d2e3f4a50 2026-08-17',
    )
  })
})

describe('renderValidateHtml', () => {
  const page = join(renderValidateHtml(validated, {reveal: false}))

  it('is one self-contained page with the counts as cards and the reconciliation', () => {
    assertSelfContained(page)
    expect(metric(page, 'records')).toBe('12')
    expect(metric(page, 'valid')).toBe('4')
    expect(metric(page, 'invalid')).toBe('7')
    expect(metric(page, 'skipped')).toBe('1')
    expect(metric(page, 'errors')).toBe('7')
    expect(metric(page, 'warnings')).toBe('1')
    expect(page).toContain('data-reconciles="true"')
    expect(page).toContain('Invalid: 7 errors in 7 records (1 record skipped).')
    expect(page).toContain('<div class="controls" hidden>')
  })

  it('lists the issue groups with their first locations, every value escaped and masked', () => {
    expect(page).toContain('<code>persons.json:3:14</code> Person p1 Person.civicNo.value')
    expect(page).toContain('<li class="hint">… and 6 more</li>')
    expect(page).toContain('data-severity="error" data-code="identity.civic-no.checksum"')
    expect(page).not.toContain(CIVIC)
    expect(page).toContain(maskCivicNumber(CIVIC))
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(join(renderValidateHtml(validated, {reveal: true}))).toContain(CIVIC)
  })

  it('puts the issues under their root causes first, the table counts adding up to the errors and warnings', () => {
    const dependent: IssueGroup = {
      severity: 'error',
      code: 'ref.unresolved',
      message: 'Duty.person refers to a Person that is not in the input',
      count: 5,
      first: [{source: {file: 'duties.csv', line: 2, column: 3}, entity: 'Duty', id: 'd1', field: 'Duty.person'}],
    }
    const own = {
      code: 'identity.civic-no.checksum' as const,
      message: 'Person.civicNo.value fails the Luhn check digit',
      place: {source: {file: 'persons.csv', line: 4, column: 2}, entity: 'Person' as const, id: 'p9', value: CIVIC},
    }
    const missing: RootCause = {
      kind: 'missing',
      target: 'Organisation',
      key: '33284873',
      count: 5,
      errors: 5,
      first: dependent.first,
      dependents: [dependent],
    }
    const invalid: RootCause = {
      kind: 'invalid',
      target: 'Person',
      id: 'p9',
      issue: own,
      count: 2,
      errors: 2,
      first: dependent.first,
      dependents: [{...dependent, count: 2}],
    }
    const all = [{...dependent, count: 7}, {...groups[0]!, count: 8}, groups[1]!]
    const caused = join(
      renderValidateHtml(
        {
          ...validated,
          groups: all,
          totals: {...validated.totals, errors: 15, warnings: 1},
          rootCauses: [missing, invalid],
          otherGroups: groups,
        },
        {reveal: false},
      ),
    )
    expect(metric(caused, 'root-causes')).toBe('2')
    expect(caused).toContain('2 root causes explain <strong data-metric="explained">8</strong> of 15 errors.')
    expect(caused).toContain(
      '<strong>Organisation 33284873 is not in the input</strong>: <span class="count">5 errors</span>',
    )
    expect(caused).toContain('<strong>Person p9 is invalid</strong>')
    expect(caused).toContain('<code>persons.csv:4:2</code> Person p9 got <code>' + maskCivicNumber(CIVIC))
    expect(caused).not.toContain(CIVIC)
    expect(caused).toContain('<h3>Other issues by code</h3>')
    expect(caused).toContain('data-filter="cause"')
    expect(caused).toContain('data-cause="Organisation 33284873 is not in the input"')
    expect(caused).toContain('data-cause="(no root cause)"')
    // Every issue is in exactly one table row: 5 + (1 own + 2) + 7 + 1 = 16 = 15 errors + 1 warning.
    const counts = [...caused.matchAll(/<td class="num">(\d+)<\/td><td><ul class="places">/g)].map((m) => Number(m[1]))
    expect(counts.reduce((a, b) => a + b, 0)).toBe(16)
    // Without root causes: issues by code, and no cause filter.
    expect(page).toContain('<h3>Issues by code</h3>')
    expect(page).toContain('<strong><code>identity.civic-no.checksum</code></strong>: 7 issues in 1 group')
    expect(page).not.toContain('data-filter="cause"')
  })

  it('says so when there are no issues', () => {
    const valid = {...validated, valid: true, groups: [], totals: {...validated.totals, errors: 0, warnings: 0}}
    const clean = join(renderValidateHtml(valid, {reveal: false}))
    expect(clean).toContain('<p>No issues.</p>')
    expect(clean).toContain('class="verdict ok"')
  })
})

const staged: StageResult = {
  scope: 'skolan',
  db: 'ss12000.db',
  valid: false,
  batch: {
    batch: 3,
    previous: 2,
    entities: {Person: {records: 10, added: 2, changed: 3, unchanged: 5, absent: 1, fields: {givenName: 2, emails: 3}}},
    unchanged: false,
  },
  partial: true,
  totals: {records: 14, staged: 10, refused: 3, withheld: 0, skipped: 1, errors: 3, warnings: 0},
  entities: {Person: {records: 13, refused: 3}},
  files: [],
  rejects: 'ss12000-rejects.csv',
  drift: [{kind: 'header-new', input: 'students', message: 'students: a new column "Mentor"'}],
  driftSince: 2,
  issueGroups: [groups[0]!],
  rootCauses: [],
  otherIssueGroups: [groups[0]!],
}

describe('renderStageHtml', () => {
  it('shows the reconciliation, the changes per entity type, drift and issues', () => {
    const page = join(renderStageHtml(staged, {reveal: false}))
    assertSelfContained(page)
    expect(metric(page, 'records')).toBe('14')
    expect(metric(page, 'staged')).toBe('10')
    expect(metric(page, 'refused')).toBe('3')
    expect(metric(page, 'added')).toBe('2')
    expect(page).toContain('data-reconciles="true"')
    expect(page).toContain('emails 3, givenName 2')
    expect(page).toContain('students: a new column &quot;Mentor&quot;')
    expect(page).toContain('absent (not counted)')
    expect(page).toContain('Staged without the refused records.')
  })
})

const converted: ConvertResult = {
  tool: 'ss12000 convert',
  template: {name: 'se-generic', version: '1.0.0', path: 'templates/se-generic'},
  configHash: 'abc',
  profile: 'ss12000-2020',
  referenceDate: '2026-08-17',
  written: true,
  partial: false,
  valid: true,
  outDir: 'out',
  outputs: ['persons.json', 'rejects.csv', 'report.json'],
  files: [
    {
      file: 'elever.csv',
      input: 'students',
      format: 'csv',
      rows: 20,
      accepted: 17,
      rejected: 0,
      skipped: 3,
      skippedBy: {'Student has left': 3},
      keptBy: {},
      headers: [],
      columns: {},
      domains: {},
    },
  ],
  entities: {Person: {produced: 17, rejected: 0, written: 17}},
  defaults: [{field: 'Person.enrolments[].startDate', setting: 'term.start', value: '2026-08-17', count: 17}],
  totals: {rows: 20, accepted: 17, rejected: 0, skipped: 3, errors: 0, warnings: 0},
  issueGroups: [],
  rootCauses: [],
  otherIssueGroups: [],
}

describe('renderConvertHtml', () => {
  it('reconciles the rows per file and lists entities, filters and defaults; with --stage, the staging after', () => {
    const page = join(renderConvertHtml(converted, {reveal: false}))
    assertSelfContained(page)
    expect(metric(page, 'rows')).toBe('20')
    expect(metric(page, 'accepted')).toBe('17')
    expect(metric(page, 'skipped')).toBe('3')
    expect(page).toContain('data-reconciles="true"')
    expect(page).toContain('Student has left')
    expect(page).toContain('<code>Person.enrolments[].startDate</code>')
    expect(page).toContain('<tfoot>')
    expect(page).not.toContain('id="stage-summary"')
    const both = join(renderConvertHtml({...converted, stage: staged}, {reveal: false}))
    expect(both).toContain('id="stage-summary"')
    expect(metric(both, 'stage-staged')).toBe('10')
    expect(both).toContain('id="stage-issues-table"')
  })
})

describe('renderUploadHtml', () => {
  const report: UploadReport = {
    target: 'http://127.0.0.1:12000/v2.0',
    adapter: 'skolverket-ingest',
    scope: 'skolan',
    db: 'ss12000.db',
    hash: 'f00d',
    plan: {
      format: 'ss12000-upload-plan/1',
      target: {url: 'http://127.0.0.1:12000/v2.0', adapter: 'skolverket-ingest'},
      stagedBatch: 3,
      partial: false,
      entities: {Person: {create: 4, update: 2, upsert: 1, delete: 1, unchanged: 9, known: 13}},
      unsupported: {Grade: 5},
    } as UploadReport['plan'],
    against: 'journal',
    breaches: [],
    samples: [{entity: 'Person', kind: 'create', id: 'p9', label: `Alva Ek ${CIVIC}`}],
    executed: true,
    run: 1,
    sent: {Person: {ok: 6, refused: 2}},
    refusals: [
      {entity: 'Person', httpStatus: 400, reason: 'civicNo invalid', count: 2, examples: [{id: 'p1', reason: 'no'}]},
    ],
    refusalCauses: [
      {
        entity: 'Organisation',
        id: 'o1',
        httpStatus: 400,
        reason: 'organisations[0]: organisationNumber fails the check digit',
        dependents: 2,
        byEntity: {Person: 2},
      },
    ],
    seconds: 1.5,
  }

  it('shows the plan, what was taken and the refusals', () => {
    const page = join(renderUploadHtml(report, {reveal: false}))
    assertSelfContained(page)
    expect(metric(page, 'create')).toBe('4')
    expect(metric(page, 'taken')).toBe('6')
    expect(metric(page, 'refused')).toBe('2')
    expect(page).toContain('civicNo invalid')
    expect(page).toContain('skolverket-ingest cannot write 5 Grades: not sent.')
    expect(page).toContain('Sent 8 records in 1.5 s: 6 taken, 2 refused.')
    // The refused organisation the persons were refused because of comes first.
    expect(page).toContain('data-cause="Organisation o1"')
    expect(page).toContain('<span class="count">2 refusals</span> depend on it (Person 2)')
    expect(page.indexOf('data-cause="Organisation o1"')).toBeLessThan(page.indexOf('id="refusals-table"'))
  })

  it('shows samples, masked, for a dry run', () => {
    const page = join(renderUploadHtml({...report, executed: false, sent: {}, refusals: []}, {reveal: false}))
    expect(page).toContain('id="samples-table"')
    expect(page).not.toContain(CIVIC)
    expect(metric(page, 'taken')).toBeUndefined()
  })
})
