import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {UsageError} from '../../../src/errors.js'
import {loadTemplate, shippedTemplateNames, shippedTemplatesDir} from '../../../src/mapping/load.js'
import type {CompiledTemplate} from '../../../src/mapping/template.js'
import {
  firstParagraph,
  goodFits,
  initTemplate,
  listTemplates,
  loadShippedTemplates,
  type RankableTemplate,
  rankTemplates,
  showTemplate,
} from '../../../src/services/templates.js'
import {type Case} from '../../support/cases.js'
import {makeTempDir} from '../../support/cli.js'

let temp: {dir: string; cleanup: () => Promise<void>}
let seGeneric: CompiledTemplate
beforeAll(async () => {
  temp = await makeTempDir('ss12000-templates-')
  seGeneric = await loadTemplate('se-generic')
})
afterAll(async () => {
  await temp.cleanup()
})

const column = (key: string, headers: string[], optional = false) => ({key, headers, optional})

/** SDS v1 Student.csv and Section.csv as a template would read them; independent of the shipped sds-v1. */
const sdsLike: RankableTemplate = {
  name: 'sds-like',
  title: 'School Data Sync v1 CSV',
  inputs: [
    {
      name: 'students',
      columns: [
        column('id', ['SIS ID']),
        column('school', ['School SIS ID']),
        column('username', ['Username']),
        column('givenName', ['First Name'], true),
        column('familyName', ['Last Name'], true),
        column('grade', ['Grade'], true),
      ],
    },
    {
      name: 'sections',
      columns: [
        column('id', ['SIS ID']),
        column('school', ['School SIS ID']),
        column('name', ['Section Name']),
        column('term', ['Term SIS ID'], true),
      ],
    },
  ],
}

/** Only optional columns: counts as a fit once one of them is found. */
const allOptional: RankableTemplate = {
  name: 'all-optional',
  title: 'Everything optional',
  inputs: [{name: 'notes', columns: [column('note', ['Anteckning'], true), column('extra', ['Extra'], true)]}],
}

const swedishStudents = ['Personnummer', 'Förnamn', 'Efternamn', 'Klass', 'Skolenhetskod', 'E-post', 'Startdatum']
const swedishStaff = [
  'Personnummer',
  'Förnamn',
  'Efternamn',
  'Signatur',
  'Befattning',
  'Skolenhetskod',
  'Tjänstgöringsgrad',
]
const sdsStudent = ['SIS ID', 'School SIS ID', 'First Name', 'Last Name', 'Username', 'Student Number', 'Grade']
const sdsSection = ['SIS ID', 'School SIS ID', 'Section Name', 'Section Number', 'Term SIS ID', 'Term Name']

interface Ranked {
  /** template/input of every template, best first */
  order: string[]
  /** the best fit's required found/total */
  required: string
  complete: boolean
  missing: string[]
  matched?: Record<string, string>
}

describe('rankTemplates: real header lists against se-generic and an SDS-like template', () => {
  const cases: Case<string[], Ranked>[] = [
    {
      name: 'a Swedish student export → se-generic students, complete',
      input: swedishStudents,
      expected: {
        order: ['se-generic/students', 'all-optional/notes', 'sds-like/students'],
        required: '4/4',
        complete: true,
        missing: [],
        matched: {
          civicNo: 'Personnummer',
          givenName: 'Förnamn',
          familyName: 'Efternamn',
          className: 'Klass',
          unitCode: 'Skolenhetskod',
          email: 'E-post',
        },
      },
    },
    {
      name: 'a staff export → staff, which reads more of its columns than students',
      input: swedishStaff,
      expected: {
        order: ['se-generic/staff', 'all-optional/notes', 'sds-like/students'],
        required: '6/6',
        complete: true,
        missing: [],
      },
    },
    {
      name: 'group memberships → memberships (3 columns) over groups (2)',
      input: ['Gruppnamn', 'Skolenhetskod', 'Personnummer'],
      expected: {
        order: ['se-generic/memberships', 'all-optional/notes', 'sds-like/students'],
        required: '3/3',
        complete: true,
        missing: [],
      },
    },
    {
      name: 'teaching groups → groups',
      input: ['Gruppnamn', 'Grupptyp', 'Skolenhetskod', 'Ämne', 'Lärare'],
      expected: {
        order: ['se-generic/groups', 'all-optional/notes', 'sds-like/students'],
        required: '2/2',
        complete: true,
        missing: [],
      },
    },
    {
      name: 'headers compared like convert does: case, spaces, _ . - ignored',
      input: ['PERSONNUMMER', 'förnamn', 'efter_namn', 'skolenhets-kod', 'e.post'],
      expected: {
        order: ['se-generic/students', 'all-optional/notes', 'sds-like/students'],
        required: '4/4',
        complete: true,
        missing: [],
        matched: {
          civicNo: 'PERSONNUMMER',
          givenName: 'förnamn',
          familyName: 'efter_namn',
          unitCode: 'skolenhets-kod',
          email: 'e.post',
        },
      },
    },
    {
      name: 'a student export lacking Efternamn and Skolenhetskod → partial, both missing',
      input: ['Personnummer', 'Förnamn', 'Klass', 'Startdatum'],
      expected: {
        order: ['se-generic/students', 'all-optional/notes', 'sds-like/students'],
        required: '2/4',
        complete: false,
        missing: ['familyName', 'unitCode'],
      },
    },
    {
      name: 'SDS Student.csv → the SDS students input, se-generic partial (First/Last Name only)',
      input: sdsStudent,
      expected: {
        order: ['sds-like/students', 'se-generic/students', 'all-optional/notes'],
        required: '3/3',
        complete: true,
        missing: [],
        matched: {
          id: 'SIS ID',
          school: 'School SIS ID',
          username: 'Username',
          givenName: 'First Name',
          familyName: 'Last Name',
          grade: 'Grade',
        },
      },
    },
    {
      name: 'SDS Section.csv → sections',
      input: sdsSection,
      expected: {
        order: ['sds-like/sections', 'all-optional/notes', 'se-generic/students'],
        required: '3/3',
        complete: true,
        missing: [],
      },
    },
    {
      name: 'an optional-only input fits once one column is found',
      input: ['Anteckning'],
      expected: {
        order: ['all-optional/notes', 'sds-like/students', 'se-generic/students'],
        required: '0/0',
        complete: true,
        missing: [],
      },
    },
    {
      name: 'no headers → nothing fits; ties by name, each template by its first input',
      input: [],
      expected: {
        order: ['all-optional/notes', 'sds-like/students', 'se-generic/students'],
        required: '0/0',
        complete: false,
        missing: [],
      },
    },
  ]
  it.each(cases)('$name', ({input, expected}) => {
    const ranked = rankTemplates(input, [seGeneric, sdsLike, allOptional])
    expect(ranked.map((fit) => `${fit.template}/${fit.input}`)).toEqual(expected.order)
    const best = ranked[0]!
    expect(`${best.required.found}/${best.required.total}`).toBe(expected.required)
    expect(best.complete).toBe(expected.complete)
    expect(best.missing.map((missing) => missing.key)).toEqual(expected.missing)
    if (expected.matched) {
      expect(Object.fromEntries(best.matched.map((matched) => [matched.key, matched.header]))).toEqual(expected.matched)
    }
  })

  it('lists a missing column with every header it is known by, and counts optional columns apart', () => {
    const [best] = rankTemplates(['Personnummer', 'Förnamn', 'Efternamn', 'Klass'], [seGeneric])
    expect(best).toMatchObject({
      template: 'se-generic',
      input: 'students',
      required: {found: 3, total: 4},
      optional: {found: 1, total: 6},
      missing: [{key: 'unitCode', headers: expect.arrayContaining(['Skolenhetskod', 'Skolkod']) as string[]}],
    })
    expect(best!.missingOptional.map((missing) => missing.key)).toEqual([
      'unitName',
      'email',
      'sex',
      'status',
      'endDate',
    ])
  })

  it('is pure: the same headers give the same ranking, and the inputs are not changed', () => {
    const before = JSON.stringify(sdsLike)
    expect(rankTemplates(sdsStudent, [sdsLike, seGeneric])).toEqual(rankTemplates(sdsStudent, [seGeneric, sdsLike]))
    expect(JSON.stringify(sdsLike)).toBe(before)
  })
})

describe('goodFits', () => {
  const order = (headers: string[]) =>
    goodFits(rankTemplates(headers, [seGeneric, sdsLike, allOptional])).map((fit) => fit.template)
  const cases: Case<string[], string[]>[] = [
    {name: 'a complete fit and nothing else', input: swedishStudents, expected: ['se-generic']},
    {name: 'half the required columns is still shown', input: ['Personnummer', 'Förnamn'], expected: ['se-generic']},
    {name: 'a quarter is not', input: ['Personnummer', 'Telefon'], expected: []},
    {name: 'SDS: the SDS template, then se-generic at 2/4', input: sdsStudent, expected: ['sds-like', 'se-generic']},
    {name: 'no headers', input: [], expected: []},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(order(input)).toEqual(expected)
  })

  it('keeps at most three', () => {
    const many = ['a', 'b', 'c', 'd'].map((name) => ({...sdsLike, name}))
    expect(goodFits(rankTemplates(sdsStudent, many)).map((fit) => fit.template)).toEqual(['a', 'b', 'c'])
  })
})

describe('rankTemplates on the shipped templates', () => {
  it('puts se-generic first for a Swedish student export', async () => {
    const {templates} = await loadShippedTemplates()
    expect(rankTemplates(swedishStudents, templates)[0]).toMatchObject({template: 'se-generic', complete: true})
  })

  it.runIf(shippedTemplateNames().includes('sds-v1'))('puts sds-v1 first for an SDS Student.csv', async () => {
    const {templates} = await loadShippedTemplates()
    expect(rankTemplates(sdsStudent, templates)[0]).toMatchObject({template: 'sds-v1', complete: true})
  })
})

describe('firstParagraph', () => {
  const cases: Case<string | undefined, string | undefined>[] = [
    {name: 'one line', input: 'One line.', expected: 'One line.'},
    {name: 'lines joined, up to the blank line', input: 'First\nline.\n\nSecond.', expected: 'First line.'},
    {name: 'leading blank lines', input: '\n\n  Text  \n', expected: 'Text'},
    {name: 'absent', input: undefined, expected: undefined},
    {name: 'blank', input: '  ', expected: undefined},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(firstParagraph(input)).toBe(expected)
  })
})

describe('listTemplates', () => {
  it('lists every shipped template folder, each of which loads', async () => {
    const result = await listTemplates()
    expect(result.dir).toBe(shippedTemplatesDir())
    expect(result.unreadable).toEqual([])
    expect(result.templates.map((template) => template.name)).toEqual(shippedTemplateNames())
    expect(result.templates.find((template) => template.name === 'se-generic')).toMatchObject({
      version: '1.0.0',
      title: seGeneric.title,
      path: join(shippedTemplatesDir(), 'se-generic', 'template.yaml'),
      inputs: [
        {name: 'students', optional: false, files: ['elev*', '*elever*', 'student*', '*students*']},
        {name: 'staff', optional: true, requiredColumns: 6, optionalColumns: 3},
        {name: 'groups', optional: true, requiredColumns: 2, optionalColumns: 3},
        {name: 'memberships', optional: true, requiredColumns: 3, optionalColumns: 0},
      ],
    })
    for (const template of result.templates) {
      expect(template.description ?? '').not.toMatch(/\n/)
    }
  })
})

describe('showTemplate', () => {
  it('gives the text as written and the compiled inputs and outputs', async () => {
    const result = await showTemplate('se-generic')
    const path = join(shippedTemplatesDir(), 'se-generic', 'template.yaml')
    expect(result).toMatchObject({name: 'se-generic', version: '1.0.0', path, shipped: true})
    expect(result.text).toBe(await readFile(path, 'utf8'))
    const students = result.inputs.find((input) => input.name === 'students')!
    expect(students.columns.find((column) => column.key === 'civicNo')).toEqual({
      key: 'civicNo',
      headers: expect.arrayContaining(['Personnummer', 'Personnr']) as string[],
      optional: false,
    })
    expect(students.columns.find((column) => column.key === 'className')!.optional).toBe(true)
    expect(result.outputs.find((output) => output.name === 'membership')).toMatchObject({
      entity: 'Group',
      from: 'memberships',
      extend: 'teachingGroup',
    })
    expect(result.outputs.find((output) => output.name === 'organiser')).toEqual({
      name: 'organiser',
      description: 'The huvudman, from the configuration.',
      entity: 'Organisation',
    })
  })

  it('reads a template by folder and by file, and says it is not shipped', async () => {
    const dir = join(temp.dir, 'shown')
    await initTemplate('se-generic', dir)
    expect(await showTemplate(dir)).toMatchObject({name: 'se-generic', shipped: false})
    expect(await showTemplate('shown/template.yaml', temp.dir)).toMatchObject({path: join(dir, 'template.yaml')})
  })

  it('refuses an unknown name with a usage error', async () => {
    await expect(showTemplate('no-such-template', temp.dir)).rejects.toThrow(UsageError)
  })

  it('refuses a template that does not load, naming the line', async () => {
    const file = join(temp.dir, 'broken.yaml')
    await writeFile(file, 'ss12000-template: 1\nname: broken\nversion: 1\n')
    await expect(showTemplate(file)).rejects.toThrow(/broken\.yaml:\d+:\d+/)
  })
})

describe('initTemplate', () => {
  it.each(shippedTemplateNames())('copies %s so that the copy loads, leaving example/ and expected/', async (name) => {
    const dest = join(temp.dir, 'copies', name)
    const result = await initTemplate(name, dest)
    expect(result).toMatchObject({template: name, from: join(shippedTemplatesDir(), name), dir: dest, overwritten: []})
    expect(result.files[0]).toBe('template.yaml')
    expect(result.files.some((file) => /^(example|expected)[/\\]/.test(file))).toBe(false)
    for (const file of result.files) {
      expect(await readFile(join(dest, file))).toEqual(await readFile(join(shippedTemplatesDir(), name, file)))
    }
    const copy = await loadTemplate(dest)
    expect(copy.name).toBe(name)
  })

  it('defaults to ./NAME under the working directory', async () => {
    const cwd = join(temp.dir, 'cwd')
    await mkdir(cwd)
    const result = await initTemplate('se-generic', undefined, {cwd})
    expect(result.dir).toBe(join(cwd, 'se-generic'))
    await expect(loadTemplate(join(cwd, 'se-generic'))).resolves.toMatchObject({name: 'se-generic'})
  })

  it('refuses to overwrite without force, and replaces with it', async () => {
    const dest = join(temp.dir, 'edited')
    await initTemplate('se-generic', dest)
    const file = join(dest, 'template.yaml')
    const edited = (await readFile(file, 'utf8')).replace('version: 1.0.0', 'version: 1.0.1')
    await writeFile(file, edited)
    await expect(initTemplate('se-generic', dest)).rejects.toThrow(/template\.yaml already exists/)
    expect(await readFile(file, 'utf8')).toBe(edited)
    const forced = await initTemplate('se-generic', dest, {force: true})
    expect(forced.overwritten).toEqual(['template.yaml'])
    expect(await readFile(file, 'utf8')).not.toBe(edited)
  })

  it('refuses an unknown template and a destination that is a file', async () => {
    await expect(initTemplate('no-such-template', join(temp.dir, 'x'))).rejects.toThrow(
      /No shipped template "no-such-template"/,
    )
    const file = join(temp.dir, 'a-file')
    await writeFile(file, '')
    await expect(initTemplate('se-generic', file)).rejects.toThrow(UsageError)
  })
})
