import {mkdir, readdir, readFile, writeFile} from 'node:fs/promises'
import {basename, join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {SECRET_ENV} from '../../../src/config/config.js'
import {convert, type ConvertOptions, type ConvertResult} from '../../../src/services/convert.js'
import type {Issue} from '../../../src/validation/issue.js'
import {makeCivicNumber} from '../../../src/validation/identity.js'
import {makeTempDir, REPO_ROOT} from '../../support/cli.js'

/**
 * Mapping semantics through the convert service: small exports and templates written to a temporary folder, the
 * fixed test configuration, and the files convert writes. Every run is checked to reconcile (rows read = accepted +
 * rejected + skipped, per file and in total).
 */

const CONFIG = join(REPO_ROOT, 'test', 'fixtures', 'convert', 'ss12000.config.yaml')

const ALVA = makeCivicNumber('2011-04-07', 123)
const ELIS = makeCivicNumber('2010-11-30', 456)
const SAGA = makeCivicNumber('2012-02-14', 789)
const OLLE = makeCivicNumber('2009-12-21', 407)
const MARTA = makeCivicNumber('1966-06-14', 696)
const LARS = makeCivicNumber('1977-04-21', 867)
const LEILA = makeCivicNumber('1984-06-06', 408)
const LENA = makeCivicNumber('1979-03-02', 222)
/** `YYYYMMDD-NNNN`, as most exports write a personnummer. */
const dashed = (civic: string) => `${civic.slice(0, 8)}-${civic.slice(8)}`

const template = (body: string) =>
  `ss12000-template: 1\nname: tiny\nversion: 1.0.0\ntitle: A tiny test template\n${body.trimStart()}`

/** A CSV export from rows of cells. */
const csv = (...rows: string[][]) => `${rows.map((row) => row.join(';')).join('\r\n')}\r\n`

type Entity = Record<string, unknown> & {id: string}

interface Run {
  result: ConvertResult
  dir: string
  outDir: string
  /** The entities of one output file, e.g. `persons`. */
  entities(collection: string): Promise<Entity[]>
  /** The issues of one code. */
  issues(code: string): Issue[]
  /** rows, accepted, rejected, skipped of one input file, by its name. */
  counts(file: string): [number, number, number, number]
}

let temp: {dir: string; cleanup: () => Promise<void>}
let runs = 0
let savedSecret: string | undefined

beforeAll(async () => {
  temp = await makeTempDir('ss12000-mapper-')
  // The fixed configuration's secret is what these tests mean; the environment must not replace it.
  savedSecret = process.env[SECRET_ENV]
  delete process.env[SECRET_ENV]
})
afterAll(async () => {
  if (savedSecret !== undefined) process.env[SECRET_ENV] = savedSecret
  await temp.cleanup()
})

/** Every file's rows are accepted, rejected or skipped, and the totals add the files up. */
function expectReconciled(result: ConvertResult): void {
  for (const file of result.files) {
    expect(file.rows, file.file).toBe(file.accepted + file.rejected + file.skipped)
  }
  for (const key of ['rows', 'accepted', 'rejected', 'skipped'] as const) {
    expect(result.totals[key], key).toBe(result.files.reduce((total, file) => total + file[key], 0))
  }
  expect(result.totals.rows).toBe(result.totals.accepted + result.totals.rejected + result.totals.skipped)
}

/** Writes the template and the export files into a fresh folder, converts them and checks the reconciliation. */
async function convertFiles(
  templateText: string,
  files: Record<string, string>,
  options: Partial<ConvertOptions> = {},
): Promise<Run> {
  const dir = join(temp.dir, `run-${++runs}`)
  const data = join(dir, 'export')
  await mkdir(data, {recursive: true})
  await writeFile(join(dir, 'template.yaml'), templateText)
  for (const [name, text] of Object.entries(files)) await writeFile(join(data, name), text)
  const outDir = join(dir, 'out')
  const result = await convert({
    paths: [data],
    template: join(dir, 'template.yaml'),
    configPath: CONFIG,
    outDir,
    format: 'json',
    allowPartial: false,
    profile: 'ss12000-2020',
    reveal: true,
    keepAllIssues: true,
    ...options,
  })
  expectReconciled(result)
  return {
    result,
    dir: data,
    outDir,
    entities: async (collection) => JSON.parse(await readFile(join(outDir, `${collection}.json`), 'utf8')) as Entity[],
    issues: (code) => (result.issues ?? []).filter((issue) => issue.code === code),
    counts: (name) => {
      const file = result.files.find((candidate) => basename(candidate.file) === name)
      if (!file) throw new Error(`no file ${name} in the result`)
      return [file.rows, file.accepted, file.rejected, file.skipped]
    },
  }
}

const byName = (entities: Entity[], name: string) => {
  const found = entities.find((entity) => entity.givenName === name || entity.displayName === name)
  if (!found) throw new Error(`no entity called ${name}`)
  return found
}

const STUDENTS_ONLY = template(`
inputs:
  students:
    files: ['elev*']
    columns:
      civicNo: [Personnummer, Personnr]
      givenName: [Förnamn, Tilltalsnamn]
      familyName: [Efternamn]
      email: {headers: [E-post, Epost], optional: true}
outputs:
  student:
    entity: Person
    from: students
    id: {key: [{column: civicNo, transform: civic-number}], personal: true}
    fields:
      givenName: {column: givenName}
      familyName: {column: familyName}
      civicNo: {value: {column: civicNo, transform: civic-number}}
      emails:
        - value: {column: email, transform: email}
          type: Skola elev
`)

describe('reading the export', () => {
  it('finds columns by any alias, whatever the case, spaces, dashes and underscores, below a title line', async () => {
    const run = await convertFiles(STUDENTS_ONLY, {
      'elever.csv': csv(
        ['Elevlista exporterad 2024-08-20', '', '', ''],
        ['PERSONNR', 'tilltals-namn', 'EFTER NAMN', 'e_post'],
        [dashed(ALVA), 'Alva', 'Ek', 'Alva.Ek@Skolan.example'],
        [dashed(ELIS), 'Elis', 'Björk', ''],
      ),
    })
    expect(run.counts('elever.csv')).toEqual([2, 2, 0, 0])
    expect(run.result.valid).toBe(true)
    const persons = await run.entities('persons')
    expect(persons.map(({id: _id, ...person}) => person)).toEqual([
      {
        givenName: 'Alva',
        familyName: 'Ek',
        civicNo: {value: ALVA},
        emails: [{value: 'alva.ek@skolan.example', type: 'Skola elev'}],
      },
      {givenName: 'Elis', familyName: 'Björk', civicNo: {value: ELIS}},
    ])
  })

  it('leaves out what an optional column gives when the file lacks it', async () => {
    const run = await convertFiles(STUDENTS_ONLY, {
      'elever.csv': csv(['Personnummer', 'Förnamn', 'Efternamn'], [dashed(ALVA), 'Alva', 'Ek']),
    })
    expect(run.counts('elever.csv')).toEqual([1, 1, 0, 0])
    const [alva] = await run.entities('persons')
    expect(alva).toEqual({id: expect.any(String), givenName: 'Alva', familyName: 'Ek', civicNo: {value: ALVA}})
  })
})

const SCHOOL = template(`
inputs:
  students:
    files: ['elev*']
    columns:
      civicNo: Personnummer
      givenName: Förnamn
      familyName: Efternamn
      className: {headers: [Klass], optional: true}
      unitCode: Skolenhetskod
      unitName: {headers: [Skola], optional: true}
outputs:
  unit:
    entity: Organisation
    from: students
    merge: true
    id: {key: [unitCode]}
    fields:
      displayName: {column: unitName, default: {config: organisation.name}}
      organisationType: Skolenhet
      schoolUnitCode: {column: unitCode}
  student:
    entity: Person
    from: students
    id: {key: [{column: civicNo, transform: civic-number}], personal: true}
    fields:
      givenName: {column: givenName}
      familyName: {column: familyName}
      enrolments:
        - enroledAt: {ref: unit, key: [unitCode]}
          schoolType: GR
          startDate: {config: term.start}
  class:
    entity: Group
    from: students
    merge: true
    id: {key: [unitCode, className]}
    fields:
      displayName: {column: className}
      groupType: Klass
      organisation: {ref: unit, key: [unitCode]}
      startDate: {config: term.start}
      groupMemberships:
        - person: {ref: student, key: [{column: civicNo, transform: civic-number}]}
`)
const SCHOOL_HEADER = ['Personnummer', 'Förnamn', 'Efternamn', 'Klass', 'Skolenhetskod', 'Skola']

describe('several entities from one row, merged by their keys', () => {
  let run: Run
  beforeAll(async () => {
    run = await convertFiles(SCHOOL, {
      'elever.csv': csv(
        SCHOOL_HEADER,
        [dashed(ALVA), 'Alva', 'Ek', '7A', '11111111', 'Ekbackeskolan'],
        [dashed(ELIS), 'Elis', 'Björk', '7A', '11111111', 'Ekbackeskolan'],
        [dashed(SAGA), 'Saga', 'Lind', '8B', '11111111', 'Ekbackeskolan'],
        [dashed(OLLE), 'Olle', 'Wallin', '', '22222222', ''],
        [dashed(LARS), 'Lars', 'Berg', '', '22222222', ''],
      ),
    })
  })

  it('makes a person, a unit and a class from each row, one unit and class per distinct key', async () => {
    expect(run.counts('elever.csv')).toEqual([5, 5, 0, 0])
    expect(run.result.entities).toEqual({
      Organisation: {produced: 2, rejected: 0, written: 2},
      Person: {produced: 5, rejected: 0, written: 5},
      Group: {produced: 2, rejected: 0, written: 2},
    })
    const units = await run.entities('organisations')
    const persons = await run.entities('persons')
    const groups = await run.entities('groups')
    expect(units.map((unit) => [unit.schoolUnitCode, unit.displayName])).toEqual([
      ['11111111', 'Ekbackeskolan'],
      ['22222222', 'Exempelby kommun'],
    ])
    const ekbacka = units[0]!.id
    expect(byName(persons, 'Saga').enrolments).toEqual([
      {enroledAt: {id: ekbacka}, schoolType: 'GR', startDate: '2024-08-19'},
    ])
    expect(groups.map((group) => [group.displayName, group.organisation, group.groupMemberships])).toEqual([
      ['7A', {id: ekbacka}, [{person: {id: byName(persons, 'Alva').id}}, {person: {id: byName(persons, 'Elis').id}}]],
      ['8B', {id: ekbacka}, [{person: {id: byName(persons, 'Saga').id}}]],
    ])
  })

  it('makes no merged entity from a row whose key is empty, and still accepts the row', async () => {
    const groups = await run.entities('groups')
    const olle = byName(await run.entities('persons'), 'Olle')
    expect(groups.some((group) => JSON.stringify(group).includes(olle.id))).toBe(false)
    expect(run.result.totals).toMatchObject({rejected: 0, errors: 0})
  })

  it('counts each default from the configuration once per entity that took it', () => {
    expect(run.result.defaults).toEqual(
      expect.arrayContaining([
        {field: 'Organisation.displayName', setting: 'organisation.name', value: 'Exempelby kommun', count: 1},
        {field: 'Person.enrolments[].startDate', setting: 'term.start', value: '2024-08-19', count: 5},
        {field: 'Group.startDate', setting: 'term.start', value: '2024-08-19', count: 2},
      ]),
    )
    expect(run.result.defaults).toHaveLength(3)
  })
})

describe('merged rows that disagree', () => {
  it('keeps the first value, warns with both places and stays valid', async () => {
    const run = await convertFiles(SCHOOL, {
      'elever.csv': csv(
        SCHOOL_HEADER,
        [dashed(ALVA), 'Alva', 'Ek', '7A', '11111111', 'Ekbackeskolan'],
        [dashed(ELIS), 'Elis', 'Björk', '7A', '11111111', 'Ekbackeskolan'],
        [dashed(SAGA), 'Saga', 'Lind', '7A', '11111111', 'Ekbacka skola'],
      ),
    })
    expect(run.counts('elever.csv')).toEqual([3, 3, 0, 0])
    expect(run.result).toMatchObject({valid: true, written: true, partial: false})
    expect(run.result.totals).toMatchObject({errors: 0, warnings: 1})
    const file = join(run.dir, 'elever.csv')
    expect(run.issues('mapping.merge-conflict')).toEqual([
      {
        severity: 'warning',
        code: 'mapping.merge-conflict',
        message: `Organisation.displayName differs between rows of the same Organisation; the value from ${file}:2:6 is kept`,
        hint: expect.any(String),
        entity: 'Organisation',
        source: {file, line: 4, column: 6},
        path: '/displayName',
        field: 'Organisation.displayName',
        value: '"Ekbacka skola"',
      },
    ])
    const [unit] = await run.entities('organisations')
    expect(unit?.displayName).toBe('Ekbackeskolan')
  })
})

const GROUPS = template(`
inputs:
  students:
    files: ['elev*']
    columns:
      civicNo: Personnummer
      givenName: Förnamn
      familyName: Efternamn
      unitCode: Skolenhetskod
  groups:
    files: ['grupp*']
    columns:
      name: Gruppnamn
      unitCode: Skolenhetskod
  memberships:
    files: ['deltagare*']
    columns:
      group: Gruppnamn
      unitCode: Skolenhetskod
      civicNo: Personnummer
outputs:
  unit:
    entity: Organisation
    from: students
    merge: true
    id: {key: [unitCode]}
    fields:
      displayName: {config: organisation.name}
      organisationType: Skolenhet
  student:
    entity: Person
    from: students
    id: {key: [{column: civicNo, transform: civic-number}], personal: true}
    fields:
      givenName: {column: givenName}
      familyName: {column: familyName}
  teachingGroup:
    entity: Group
    from: groups
    id: {key: [unitCode, name]}
    fields:
      displayName: {column: name}
      groupType: Undervisning
      organisation: {ref: unit, key: [unitCode]}
      startDate: {config: term.start}
  membership:
    extend: teachingGroup
    from: memberships
    id: {key: [unitCode, group]}
    fields:
      groupMemberships:
        - person: {ref: student, key: [{column: civicNo, transform: civic-number}]}
`)
/** Memberships are named to be read first; the template's dependencies must put them after the groups. */
const GROUP_FILES = {
  'deltagare.csv': csv(
    ['Gruppnamn', 'Skolenhetskod', 'Personnummer'],
    ['MA 7A', '11111111', ALVA],
    ['MA 7A', '11111111', ELIS],
    ['MA 9Z', '11111111', SAGA],
    ['SV 7A', '11111111', SAGA],
  ),
  'elever.csv': csv(
    ['Personnummer', 'Förnamn', 'Efternamn', 'Skolenhetskod'],
    [dashed(ALVA), 'Alva', 'Ek', '11111111'],
    [dashed(ELIS), 'Elis', 'Björk', '11111111'],
    [dashed(SAGA), 'Saga', 'Lind', '11111111'],
  ),
  'grupper.csv': csv(['Gruppnamn', 'Skolenhetskod'], ['MA 7A', '11111111'], ['SV 7A', '11111111']),
}

describe('extensions and ids', () => {
  let run: Run
  beforeAll(async () => {
    run = await convertFiles(GROUPS, GROUP_FILES, {allowPartial: true})
  })

  it('adds each row to the entity it extends, and rejects a row whose target no row made', async () => {
    expect(run.counts('elever.csv')).toEqual([3, 3, 0, 0])
    expect(run.counts('grupper.csv')).toEqual([2, 2, 0, 0])
    expect(run.counts('deltagare.csv')).toEqual([4, 3, 1, 0])
    const file = join(run.dir, 'deltagare.csv')
    expect(run.issues('mapping.extend-missing')).toEqual([
      expect.objectContaining({
        severity: 'error',
        message: 'The row adds to a Group that no row made (teachingGroup)',
        source: {file, line: 4, column: 2},
        value: '"11111111 MA 9Z"',
      }),
    ])
    expect(run.result.totals.errors).toBe(1)
    const persons = await run.entities('persons')
    const members = (await run.entities('groups')).map((group) => [group.displayName, group.groupMemberships])
    expect(members).toEqual([
      ['MA 7A', [{person: {id: byName(persons, 'Alva').id}}, {person: {id: byName(persons, 'Elis').id}}]],
      ['SV 7A', [{person: {id: byName(persons, 'Saga').id}}]],
    ])
  })

  it('derives the same id from a personnummer written YYYYMMDD-NNNN in one file and YYYYMMDDNNNN in another', async () => {
    const persons = await run.entities('persons')
    const groups = await run.entities('groups')
    const memberIds = groups.flatMap((group) =>
      (group.groupMemberships as Array<{person: {id: string}}>).map((membership) => membership.person.id),
    )
    expect(memberIds.sort()).toEqual(persons.map((person) => person.id).sort())
    expect(run.issues('ref.unresolved')).toEqual([])
  })

  it('writes the same bytes when the same export is converted again', async () => {
    const again = await convertFiles(GROUPS, GROUP_FILES, {allowPartial: true})
    const names = (await readdir(run.outDir)).filter((name) => name.endsWith('.json') && name !== 'report.json')
    expect(names.sort()).toEqual(['groups.json', 'organisations.json', 'persons.json'])
    for (const name of names) {
      expect(await readFile(join(again.outDir, name), 'utf8'), name).toBe(
        await readFile(join(run.outDir, name), 'utf8'),
      )
    }
    const ids = (entities: Entity[]) => entities.map((entity) => entity.id)
    expect(ids(await again.entities('persons'))).toEqual(ids(await run.entities('persons')))
  })
})

describe('missing: warn', () => {
  it('lets a row whose extension target no row made add nothing, with a warning, and accepts it', async () => {
    const lenient = GROUPS.replace('    extend: teachingGroup\n', '    extend: teachingGroup\n    missing: warn\n')
    expect(lenient).not.toBe(GROUPS)
    const run = await convertFiles(lenient, GROUP_FILES)
    expect(run.counts('deltagare.csv')).toEqual([4, 4, 0, 0])
    expect(run.issues('mapping.extend-unmatched')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        message: 'The row adds to a Group that no row made (teachingGroup); it adds nothing',
        source: {file: join(run.dir, 'deltagare.csv'), line: 4, column: 2},
      }),
    ])
    expect(run.result.valid).toBe(true)
  })

  it('leaves out a reference whose lookup finds nothing, with a warning; an ambiguous one still rejects the row', async () => {
    const lenient = STAFF.replace(
      'duty: {ref: duty, by: signature, key: [{item: true}, unitCode]}',
      'duty: {ref: duty, by: signature, key: [{item: true}, unitCode], missing: warn}',
    )
    expect(lenient).not.toBe(STAFF)
    const run = await convertFiles(lenient, {
      'grupper.csv': csv(
        ['Gruppnamn', 'Skolenhetskod', 'Lärare'],
        ['SV 7A', '11111111', 'MLI, XYZ'],
        ['EN 7A', '11111111', 'LSA'],
      ),
      'personal.csv': csv(
        ['Personnummer', 'Förnamn', 'Efternamn', 'Signatur', 'Skolenhetskod'],
        [dashed(MARTA), 'Märta', 'Lindqvist', 'MLI', '11111111'],
        [dashed(LEILA), 'Leila', 'Sandberg', 'LSA', '11111111'],
        [dashed(LENA), 'Lena', 'Sandén', 'LSA', '11111111'],
      ),
    })
    expect(run.counts('grupper.csv')).toEqual([2, 1, 1, 0])
    expect(run.issues('mapping.lookup-unmatched')).toEqual([
      expect.objectContaining({severity: 'warning', value: '"XYZ 11111111"'}),
    ])
    expect(run.issues('mapping.lookup-ambiguous')).toHaveLength(1)
    expect(run.result.valid).toBe(false)
  })
})

describe('an entity left out of a partial output', () => {
  it('takes its list items in other entities with it, each warning placed at the row that added it', async () => {
    const files = {
      ...GROUP_FILES,
      // Elis has no given name: his Person fails validation, so his membership of MA 7A must go.
      'elever.csv': csv(
        ['Personnummer', 'Förnamn', 'Efternamn', 'Skolenhetskod'],
        [dashed(ALVA), 'Alva', 'Ek', '11111111'],
        [dashed(ELIS), '', 'Björk', '11111111'],
        [dashed(SAGA), 'Saga', 'Lind', '11111111'],
      ),
    }
    const run = await convertFiles(GROUPS, files, {allowPartial: true})
    expect(run.issues('mapping.rejected-item')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        field: 'Group.groupMemberships[].person',
        source: {file: join(run.dir, 'deltagare.csv'), line: 3, column: 3},
      }),
    ])
    const groups = await run.entities('groups')
    expect(groups.map((group) => (group.groupMemberships as unknown[]).length)).toEqual([1, 1])
  })
})

describe('a repeated row', () => {
  const dated = GROUPS.replace(
    '        - person: {ref: student, key: [{column: civicNo, transform: civic-number}]}\n',
    '        - person: {ref: student, key: [{column: civicNo, transform: civic-number}]}\n          startDate: {config: term.start}\n',
  )
  let run: Run
  beforeAll(async () => {
    expect(dated).not.toBe(GROUPS)
    run = await convertFiles(dated, {
      ...GROUP_FILES,
      'deltagare.csv': csv(
        ['Gruppnamn', 'Skolenhetskod', 'Personnummer'],
        ['MA 7A', '11111111', ALVA],
        ['MA 7A', '11111111', dashed(ALVA)],
        ['MA 7A', '11111111', ELIS],
      ),
    })
  })

  it('adds its list item to the entity it extends once', async () => {
    expect(run.counts('deltagare.csv')).toEqual([3, 3, 0, 0])
    const persons = await run.entities('persons')
    const [group] = await run.entities('groups')
    expect(group?.groupMemberships).toEqual([
      {person: {id: byName(persons, 'Alva').id}, startDate: '2024-08-19'},
      {person: {id: byName(persons, 'Elis').id}, startDate: '2024-08-19'},
    ])
  })

  it('counts the default of its list item once', () => {
    expect(run.result.defaults).toContainEqual({
      field: 'Group.groupMemberships[].startDate',
      setting: 'term.start',
      value: '2024-08-19',
      count: 2,
    })
  })
})

describe('a reference to an entity no row made', () => {
  it('is placed at the row and cell that wrote it', async () => {
    const run = await convertFiles(
      GROUPS,
      {
        ...GROUP_FILES,
        'deltagare.csv': csv(
          ['Gruppnamn', 'Skolenhetskod', 'Personnummer'],
          ['MA 7A', '11111111', ALVA],
          ['MA 7A', '11111111', OLLE],
        ),
      },
      {allowPartial: true},
    )
    expect(run.issues('ref.unresolved').map((issue) => issue.source)).toEqual([
      {file: join(run.dir, 'deltagare.csv'), line: 3, column: 3},
    ])
  })
})

const STAFF = template(`
inputs:
  staff:
    files: ['personal*']
    columns:
      civicNo: Personnummer
      givenName: Förnamn
      familyName: Efternamn
      signature: Signatur
      unitCode: Skolenhetskod
  groups:
    files: ['grupper*']
    columns:
      name: Gruppnamn
      unitCode: Skolenhetskod
      teachers: {headers: [Lärare], optional: true}
outputs:
  unit:
    entity: Organisation
    from: staff
    merge: true
    id: {key: [unitCode]}
    fields:
      displayName: {config: organisation.name}
      organisationType: Skolenhet
  staffMember:
    entity: Person
    from: staff
    merge: true
    id: {key: [{column: civicNo, transform: civic-number}], personal: true}
    fields:
      givenName: {column: givenName}
      familyName: {column: familyName}
  duty:
    entity: Duty
    from: staff
    id: {key: [{column: civicNo, transform: civic-number}, unitCode], personal: true}
    lookup:
      signature: [signature, unitCode]
    fields:
      person: {ref: staffMember, key: [{column: civicNo, transform: civic-number}]}
      dutyAt: {ref: unit, key: [unitCode]}
      dutyRole: Lärare
      signature: {column: signature}
      startDate: {config: term.start}
  teachingGroup:
    entity: Group
    from: groups
    id: {key: [unitCode, name]}
    fields:
      displayName: {column: name}
      groupType: Undervisning
      organisation: {ref: unit, key: [unitCode]}
      startDate: {config: term.start}
  activity:
    entity: Activity
    from: groups
    id: {key: [unitCode, name]}
    fields:
      displayName: {column: name}
      calendarEventsRequired: false
      startDate: {config: term.start}
      organisation: {ref: unit, key: [unitCode]}
      groups:
        - {ref: teachingGroup, key: [unitCode, name]}
      teachers:
        each: {column: teachers, transform: list}
        item:
          duty: {ref: duty, by: signature, key: [{item: true}, unitCode]}
`)

describe('lookups and lists', () => {
  let run: Run
  beforeAll(async () => {
    run = await convertFiles(STAFF, {
      // Named to sort first: the lookups must make the staff file be read before it.
      'grupper.csv': csv(
        ['Gruppnamn', 'Skolenhetskod', 'Lärare'],
        ['SV 7A', '11111111', 'MLI, LOL'],
        ['MA 7A', '11111111', 'XYZ'],
        ['EN 7A', '11111111', 'LSA'],
        ['BI 7A', '11111111', ''],
      ),
      'personal.csv': csv(
        ['Personnummer', 'Förnamn', 'Efternamn', 'Signatur', 'Skolenhetskod'],
        [dashed(MARTA), 'Märta', 'Lindqvist', 'MLI', '11111111'],
        [dashed(LARS), 'Lars', 'Olsson', 'LOL', '11111111'],
        [dashed(LEILA), 'Leila', 'Sandberg', 'LSA', '11111111'],
        [dashed(LENA), 'Lena', 'Sandén', 'LSA', '11111111'],
      ),
    })
  })

  it('rejects a row whose lookup finds nothing, and one whose lookup finds several', () => {
    expect(run.counts('personal.csv')).toEqual([4, 4, 0, 0])
    expect(run.counts('grupper.csv')).toEqual([4, 2, 2, 0])
    const file = join(run.dir, 'grupper.csv')
    expect(run.issues('mapping.lookup-missing')).toEqual([
      expect.objectContaining({
        message: 'No Duty has this signature',
        source: {file, line: 3, column: 3},
        field: 'Activity.teachers[].duty',
        value: '"XYZ 11111111"',
      }),
    ])
    expect(run.issues('mapping.lookup-ambiguous')).toEqual([
      expect.objectContaining({
        message: 'Several Duty entities have this signature, so it does not say which one is meant',
        source: {file, line: 4, column: 3},
        value: '"LSA 11111111"',
      }),
    ])
    expect(run.result.valid).toBe(false)
  })

  it('maps each item of a list column, in order, and leaves the list out when the cell is empty', async () => {
    const partial = await convertFiles(
      STAFF,
      {
        'grupper.csv': csv(
          ['Gruppnamn', 'Skolenhetskod', 'Lärare'],
          ['SV 7A', '11111111', 'MLI, LOL'],
          ['BI 7A', '11111111', ''],
        ),
        'personal.csv': csv(
          ['Personnummer', 'Förnamn', 'Efternamn', 'Signatur', 'Skolenhetskod'],
          [dashed(MARTA), 'Märta', 'Lindqvist', 'MLI', '11111111'],
          [dashed(LARS), 'Lars', 'Olsson', 'LOL', '11111111'],
        ),
      },
      {},
    )
    expect(partial.counts('grupper.csv')).toEqual([2, 2, 0, 0])
    expect(partial.result.valid).toBe(true)
    const duties = await partial.entities('duties')
    const signature = (sign: string) => duties.find((duty) => duty.signature === sign)!.id
    const activities = await partial.entities('activities')
    expect(activities.map((activity) => [activity.displayName, activity.teachers])).toEqual([
      ['SV 7A', [{duty: {id: signature('MLI')}}, {duty: {id: signature('LOL')}}]],
      ['BI 7A', undefined],
    ])
  })
})

const FILTERED = template(`
inputs:
  students:
    files: ['elev*']
    columns:
      civicNo: Personnummer
      givenName: Förnamn
      familyName: Efternamn
      className: Klass
      unitCode: Skolenhetskod
      status: {headers: [Status], optional: true}
      endDate: {headers: [Slutdatum], optional: true}
    filters:
      - name: left
        column: status
        in: [Avslutad, Utskriven]
        action: keep
        reason: Student has left
      - column: status
        equals: Borttagen
        reason: Removed from the system
outputs:
  unit:
    entity: Organisation
    from: students
    merge: true
    id: {key: [unitCode]}
    fields:
      displayName: {config: organisation.name}
      organisationType: Skolenhet
  student:
    entity: Person
    from: students
    id: {key: [{column: civicNo, transform: civic-number}], personal: true}
    fields:
      givenName: {column: givenName}
      familyName: {column: familyName}
      enrolments:
        - enroledAt: {ref: unit, key: [unitCode]}
          schoolType: GR
          startDate: {config: term.start}
          endDate: {column: endDate, when: left, transform: {date: {format: YYYY-MM-DD}}}
  class:
    entity: Group
    from: students
    merge: true
    id: {key: [unitCode, className]}
    fields:
      displayName: {column: className}
      groupType: Klass
      organisation: {ref: unit, key: [unitCode]}
      startDate: {config: term.start}
      groupMemberships:
        - person: {ref: student, key: [{column: civicNo, transform: civic-number}], unless: left}
`)
const FILTERED_HEADER = ['Personnummer', 'Förnamn', 'Efternamn', 'Klass', 'Skolenhetskod', 'Status', 'Slutdatum']

describe('filters', () => {
  let run: Run
  beforeAll(async () => {
    run = await convertFiles(FILTERED, {
      'elever.csv': csv(
        FILTERED_HEADER,
        [dashed(ALVA), 'Alva', 'Ek', '7A', '11111111', 'Aktiv', '2025-01-31'],
        [dashed(ELIS), 'Elis', 'Björk', '7A', '11111111', 'Avslutad', '2024-06-05'],
        [dashed(SAGA), 'Saga', 'Lind', '7A', '11111111', 'Borttagen', ''],
        [dashed(OLLE), 'Olle', 'Wallin', '7A', '11111111', 'UTSKRIVEN', '2024-06-30'],
      ),
    })
  })

  it('skips the rows a skip filter matches and counts them by its reason', async () => {
    expect(run.counts('elever.csv')).toEqual([4, 3, 0, 1])
    expect(run.result.files[0]?.skippedBy).toEqual({'Removed from the system': 1})
    const persons = await run.entities('persons')
    expect(persons.map((person) => person.givenName)).toEqual(['Alva', 'Elis', 'Olle'])
  })

  it('fills `when` fields only on rows a keep filter marked, and `unless` fields only on the others', async () => {
    expect(run.result.files[0]?.keptBy).toEqual({'Student has left': 2})
    const persons = await run.entities('persons')
    const endDates = persons.map((person) => [
      person.givenName,
      (person.enrolments as Array<{endDate?: string}>)[0]?.endDate,
    ])
    expect(endDates).toEqual([
      ['Alva', undefined],
      ['Elis', '2024-06-05'],
      ['Olle', '2024-06-30'],
    ])
    const [klass] = await run.entities('groups')
    expect(klass?.groupMemberships).toEqual([{person: {id: byName(persons, 'Alva').id}}])
  })

  it('counts in keptBy only the marked rows that are accepted', async () => {
    const bad = `${ELIS.slice(0, 11)}${(Number(ELIS.slice(11)) + 1) % 10}`
    const rejected = await convertFiles(FILTERED, {
      'elever.csv': csv(
        FILTERED_HEADER,
        [dashed(ALVA), 'Alva', 'Ek', '7A', '11111111', 'Aktiv', ''],
        [dashed(bad), 'Elis', 'Björk', '7A', '11111111', 'Avslutad', '2024-06-05'],
      ),
    })
    expect(rejected.counts('elever.csv')).toEqual([2, 1, 1, 0])
    expect(rejected.result.files[0]?.keptBy).toEqual({})
  })
})

const crosswalkTemplate = (unmapped: string) =>
  template(`
inputs:
  students:
    files: ['elev*']
    columns:
      civicNo: Personnummer
      givenName: Förnamn
      familyName: Efternamn
      sex: Kön
crosswalks:
  sex:
    unmapped: ${unmapped}
    map: {K: Kvinna, M: Man}
outputs:
  student:
    entity: Person
    from: students
    id: {key: [{column: civicNo, transform: civic-number}], personal: true}
    fields:
      givenName: {column: givenName}
      familyName: {column: familyName}
      sex: {column: sex, crosswalk: sex}
`)
const SEXES = csv(
  ['Personnummer', 'Förnamn', 'Efternamn', 'Kön'],
  [dashed(ALVA), 'Alva', 'Ek', 'k'],
  [dashed(ELIS), 'Elis', 'Björk', 'Okänt'],
)

describe('crosswalks', () => {
  it('rejects a row whose value is not in the crosswalk (unmapped: error)', async () => {
    const run = await convertFiles(crosswalkTemplate('error'), {'elever.csv': SEXES})
    expect(run.counts('elever.csv')).toEqual([2, 1, 1, 0])
    expect(run.issues('mapping.crosswalk-unmapped')).toEqual([
      expect.objectContaining({
        severity: 'error',
        message: 'The value is not in the crosswalk "sex"',
        source: {file: join(run.dir, 'elever.csv'), line: 3, column: 4},
        field: 'Person.sex',
        value: '"Okänt"',
      }),
    ])
    expect(run.result).toMatchObject({valid: false, written: false})
    expect((await readdir(run.outDir)).sort()).toEqual(['rejects.csv', 'report.json'])
  })

  it.each([
    {unmapped: 'keep', sex: 'Okänt'},
    {unmapped: 'absent', sex: undefined},
  ])('unmapped: $unmapped takes the row, with sex $sex', async ({unmapped, sex}) => {
    const run = await convertFiles(crosswalkTemplate(unmapped), {'elever.csv': SEXES})
    expect(run.counts('elever.csv')).toEqual([2, 2, 0, 0])
    expect(run.result.valid).toBe(true)
    const persons = await run.entities('persons')
    expect(persons.map((person) => person.sex)).toEqual(['Kvinna', sex])
    expect('sex' in persons[1]!).toBe(sex !== undefined)
  })
})

describe('personal ids', () => {
  const files = {'elever.csv': csv(['Personnummer', 'Förnamn', 'Efternamn'], [dashed(ALVA), 'Alva', 'Ek'])}
  const plain = STUDENTS_ONLY.replace('], personal: true}', ']}')
  let otherSecret: string

  beforeAll(async () => {
    otherSecret = join(temp.dir, 'other-secret.config.yaml')
    const text = await readFile(CONFIG, 'utf8')
    const secret = /secret: ([0-9a-f]{64})/.exec(text)?.[1]
    expect(secret).toBeDefined()
    await writeFile(otherSecret, text.replace(secret!, 'cd'.repeat(32)))
  })

  const idOf = async (templateText: string, configPath = CONFIG) => {
    const run = await convertFiles(templateText, files, {configPath})
    expect(run.counts('elever.csv')).toEqual([1, 1, 0, 0])
    const [person] = await run.entities('persons')
    return person!.id
  }

  it('differs from the plain id of the same key, and is stable while namespace and secret stay', async () => {
    expect(plain).not.toBe(STUDENTS_ONLY)
    const personal = await idOf(STUDENTS_ONLY)
    expect(personal).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(await idOf(plain)).not.toBe(personal)
    expect(await idOf(STUDENTS_ONLY)).toBe(personal)
  })

  it('changes with the secret, while the plain id does not', async () => {
    expect(await idOf(STUDENTS_ONLY, otherSecret)).not.toBe(await idOf(STUDENTS_ONLY))
    expect(await idOf(plain, otherSecret)).toBe(await idOf(plain))
  })
})
