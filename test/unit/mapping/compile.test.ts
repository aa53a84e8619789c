import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Config} from '../../../src/config/config.js'
import {UsageError} from '../../../src/errors.js'
import {parseTemplate} from '../../../src/mapping/load.js'
import {Mapper} from '../../../src/mapping/mapper.js'
import type {CompiledTemplate} from '../../../src/mapping/template.js'
import {makeTempDir} from '../../support/cli.js'

/** Where the in-memory templates say they live; only crosswalk files are read from beside it. */
const PATH = '/virtual/tiny/template.yaml'

/** A small template that compiles: every test below breaks one thing in it. */
const BASE = `ss12000-template: 1
name: tiny
version: 1.0.0
title: A tiny staff template
inputs:
  staff:
    files: ['staff*']
    columns:
      pnr: Personnummer
      given: Förnamn
      family: Efternamn
      title: Befattning
      sign: Signatur
      unit: Skolenhetskod
      mentor: {headers: [Mentor], optional: true}
      status: {headers: [Status], optional: true}
    filters:
      - name: active
        column: status
        equals: Aktiv
        action: keep
        reason: Active staff
      - name: removed
        column: status
        equals: Borttagen
        reason: Removed from the system
crosswalks:
  role:
    map: {Lärare: Lärare, Rektor: Rektor}
outputs:
  unit:
    entity: Organisation
    from: staff
    merge: true
    id: {key: [unit]}
    fields:
      displayName: {column: unit}
      organisationType: Skolenhet
  person:
    entity: Person
    from: staff
    merge: true
    id: {key: [{column: pnr, transform: civic-number}], personal: true}
    fields:
      givenName: {column: given}
      familyName: {column: family}
  duty:
    entity: Duty
    from: staff
    id: {key: [pnr, unit]}
    lookup:
      signature: [sign]
    fields:
      person: {ref: person, key: [{column: pnr, transform: civic-number}]}
      dutyAt: {ref: unit, key: [unit]}
      dutyRole: {column: title, crosswalk: role}
      signature: {column: sign, when: active}
      startDate: {config: term.start}
`

/** BASE with each `from` replaced by its `to`; every `from` must occur exactly once. */
function edit(...replacements: Array<[from: string, to: string]>): string {
  let text = BASE
  for (const [from, to] of replacements) {
    if (text.split(from).length !== 2) throw new Error(`"${from}" must occur exactly once in the template`)
    text = text.replace(from, to)
  }
  return text
}

/** `line:col` (1-based) of the first occurrence of `needle` in `text`. */
function at(text: string, needle: string): string {
  const offset = text.indexOf(needle)
  if (offset < 0) throw new Error(`"${needle}" is not in the template`)
  const before = text.slice(0, offset).split('\n')
  return `${before.length}:${before.at(-1)!.length + 1}`
}

/** The message of the UsageError that parsing `text` throws. */
async function failure(text: string, path = PATH): Promise<string> {
  const error: unknown = await parseTemplate(text, path).then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(UsageError)
  return (error as UsageError).message
}

/** The message must say one problem, placed at `needle` in `text`. */
async function expectOneProblem(text: string, needle: string, message: string): Promise<void> {
  expect(await failure(text)).toBe(`The template has a problem:\n  ${PATH}:${at(text, needle)}: ${message}`)
}

describe('parseTemplate: the base template', () => {
  it('compiles, so each error below comes from its one change', async () => {
    const template = await parseTemplate(BASE, PATH)
    expect(template.name).toBe('tiny')
    expect(template.outputs.map((output) => [output.name, output.entity])).toEqual([
      ['unit', 'Organisation'],
      ['person', 'Person'],
      ['duty', 'Duty'],
    ])
    expect(template.inputs[0]?.columns.find((column) => column.key === 'mentor')?.optional).toBe(true)
  })
})

describe('parseTemplate: the document', () => {
  it('refuses YAML without the format key, pointing at the start', async () => {
    const text = edit(['ss12000-template: 1\n', ''])
    await expectOneProblem(text, 'name:', 'not a mapping template: it must start with "ss12000-template: 1".')
  })

  it.each([
    {written: '2', shown: '2'},
    {written: "'1'", shown: '"1"'},
  ])('refuses format $written, pointing at the format key', async ({written, shown}) => {
    const text = edit(['ss12000-template: 1', `ss12000-template: ${written}`])
    await expectOneProblem(
      text,
      'ss12000-template',
      `template format ${shown} is not one this toolkit reads (it reads 1).`,
    )
  })

  it('names an unknown top-level key where it is written', async () => {
    const text = edit(['title: A tiny', 'titel: A tiny'])
    await expectOneProblem(text, 'titel:', 'titel: unknown setting.')
  })

  it('places a YAML syntax error', async () => {
    const text = edit(['title: A tiny staff template', 'title: A tiny staff template\ntitle: again'])
    expect(await failure(text)).toBe(`${PATH}:${at(text, 'title: again')}: Map keys must be unique`)
  })
})

describe('parseTemplate: columns, fields and entities', () => {
  it('names an unknown column with a suggestion and the known ones', async () => {
    const text = edit(['givenName: {column: given}', 'givenName: {column: givn}'])
    await expectOneProblem(
      text,
      'column: givn',
      'input "staff" has no column "givn" (did you mean given?); declare it under inputs.staff.columns (known: pnr, given, family, title, sign, unit, mentor, status).',
    )
  })

  it('names an unknown column in a filter', async () => {
    const text = edit(['column: status\n        equals: Aktiv', 'column: statuss\n        equals: Aktiv'])
    const message = await failure(text)
    expect(message).toContain(`${PATH}:${at(text, 'column: statuss')}: input "staff" has no column "statuss"`)
    expect(message).toContain('(did you mean status?)')
  })

  it('names an unknown SS 12000 field with a suggestion', async () => {
    const text = edit(['givenName: {column: given}', 'givenNmae: {column: given}'])
    await expectOneProblem(text, 'givenNmae', 'Person has no field Person.givenNmae (did you mean givenName?).')
  })

  it('names an unknown field inside a nested object with its full path', async () => {
    const text = edit([
      'familyName: {column: family}',
      'familyName: {column: family}\n      civicNo: {value: {column: pnr}, nationalty: SE}',
    ])
    await expectOneProblem(
      text,
      'nationalty',
      'Person has no field Person.civicNo.nationalty (did you mean nationality?).',
    )
  })

  it('names an unknown key of a value spec with a suggestion', async () => {
    const text = edit(['givenName: {column: given}', 'givenName: {column: given, trasnform: trim}'])
    await expectOneProblem(text, 'trasnform', 'unknown key "trasnform" in a value spec (did you mean transform?).')
  })

  it('names an unknown entity type with a suggestion', async () => {
    const text = edit(['entity: Duty', 'entity: Dutty'])
    await expectOneProblem(text, 'entity: Dutty', 'unknown entity type "Dutty" (did you mean Duty?).')
  })
})

describe('parseTemplate: transforms', () => {
  const key = 'key: [{column: pnr, transform: civic-number}], personal'

  it('names an unknown transform and lists the known ones', async () => {
    const text = edit([key, 'key: [{column: pnr, transform: civic-numbr}], personal'])
    const message = await failure(text)
    expect(message).toContain(`${PATH}:${at(text, 'transform: civic-numbr')}: Unknown transform 'civic-numbr'.`)
    expect(message).toContain('Known transforms: trim, text,')
    expect(message).toContain('civic-number')
  })

  it('names an unknown parameter with the known ones', async () => {
    const text = edit([key, 'key: [{column: pnr, transform: {civic-number: {allowTemp: true}}}], personal'])
    await expectOneProblem(
      text,
      'transform: {civic',
      "Transform 'civic-number' has no parameter 'allowTemp' (known: allowTemporary).",
    )
  })

  it('names a parameter of the wrong type', async () => {
    const text = edit([key, "key: [{column: pnr, transform: {civic-number: {allowTemporary: 'yes'}}}], personal"])
    await expectOneProblem(
      text,
      'transform: {civic',
      "Parameter 'allowTemporary' of transform 'civic-number' must be boolean, not \"yes\".",
    )
  })

  it('names a missing required parameter, placing a step of a transform list at its item', async () => {
    const text = edit([
      'familyName: {column: family}',
      'familyName: {column: family}\n      birthDate: {column: pnr, transform: [trim, date]}',
    ])
    const message = await failure(text)
    expect(message).toMatch(/^The template has a problem:\n/)
    expect(message).toContain(
      `${PATH}:${at(text, 'date]')}: Transform 'date' needs the parameter 'format' ('YYYY-MM-DD'`,
    )
  })
})

describe('parseTemplate: SS 12000 values', () => {
  it('refuses a crosswalk value that is not an SS 12000 value of the field, suggesting the spelling', async () => {
    const text = edit(['map: {Lärare: Lärare, Rektor: Rektor}', 'map: {Lärare: Larare, Rektor: Rektor}'])
    const message = await failure(text)
    expect(message).toContain(
      `${PATH}:${at(text, 'crosswalk: role')}: crosswalk "role" gives "Larare", which is not an SS 12000 value here (did you mean "Lärare"?); allowed: Rektor, Lärare,`,
    )
    expect(message.split('\n')).toHaveLength(2)
  })

  it('refuses a const that is not in the field’s enum', async () => {
    const text = edit(['organisationType: Skolenhet', 'organisationType: Skolenhett'])
    const message = await failure(text)
    expect(message).toContain(
      `${PATH}:${at(text, 'organisationType: Skolenhett')}: const gives "Skolenhett", which is not an SS 12000 value here (did you mean "Skolenhet"?)`,
    )
  })

  it('refuses a default that is not in the field’s enum', async () => {
    const text = edit(['dutyRole: {column: title, crosswalk: role}', "dutyRole: {column: title, default: 'lärare'}"])
    const message = await failure(text)
    expect(message).toContain(`${PATH}:${at(text, "default: 'lärare'")}: default gives "lärare"`)
    expect(message).toContain('(did you mean "Lärare"?)')
  })

  it('refuses an unknown configuration setting', async () => {
    const text = edit(['startDate: {config: term.start}', 'startDate: {config: term.begin}'])
    await expectOneProblem(text, 'config: term.begin', 'no configuration setting "term.begin".')
  })
})

describe('parseTemplate: references, lookups and filters', () => {
  it('refuses a ref to an output that does not exist, listing the outputs', async () => {
    const text = edit(['dutyAt: {ref: unit, key: [unit]}', 'dutyAt: {ref: units, key: [unit]}'])
    await expectOneProblem(
      text,
      'ref: units',
      'no output or entity type "units" to refer to (outputs: unit, person, duty).',
    )
  })

  it('refuses a ref to an output of another entity type than the field refers to', async () => {
    const text = edit(['dutyAt: {ref: unit, key: [unit]}', 'dutyAt: {ref: person, key: [unit]}'])
    await expectOneProblem(
      text,
      'ref: person, key: [unit]',
      'this field refers to an Organisation, but output "person" makes Person.',
    )
  })

  it('refuses `missing` on a ref by id key: only a lookup can find nothing', async () => {
    const text = edit(['dutyAt: {ref: unit, key: [unit]}', 'dutyAt: {ref: unit, key: [unit], missing: warn}'])
    await expectOneProblem(
      text,
      'missing: warn',
      '"missing" applies to a lookup (by:); a reference by id key is checked by validation.',
    )
  })

  it('refuses `personal` on a ref to an output, whose own id rule says it', async () => {
    const text = edit(['dutyAt: {ref: unit, key: [unit]}', 'dutyAt: {ref: unit, key: [unit], personal: false}'])
    await expectOneProblem(
      text,
      'personal: false}',
      'output "unit" says whether its ids are personal; leave personal out.',
    )
  })

  it('accepts `personal` on a ref to an entity type made elsewhere', async () => {
    const text = edit(['dutyAt: {ref: unit, key: [unit]}', 'dutyAt: {ref: Organisation, key: [unit], personal: false}'])
    await expect(parseTemplate(text, PATH)).resolves.toBeDefined()
  })

  it('refuses `by` naming a lookup the target does not declare', async () => {
    const text = edit(['dutyAt: {ref: unit, key: [unit]}', 'dutyAt: {ref: unit, by: code, key: [unit]}'])
    await expectOneProblem(
      text,
      'by: code',
      'output "unit" has no lookup "code"; declare it under outputs.unit.lookup.',
    )
  })

  it('refuses `item` outside an each', async () => {
    const text = edit(['givenName: {column: given}', 'givenName: {item: true}'])
    await expectOneProblem(text, 'item: true', '"item" is only meaningful inside the item of an "each".')
  })

  it('accepts `item` inside an each', async () => {
    const text = edit([
      'startDate: {config: term.start}\n',
      'startDate: {config: term.start}\n      assignmentRole:\n        each: {column: mentor, transform: list}\n        item:\n          group: {ref: Group, key: [unit, {item: true}]}\n          assignmentRoleType: Mentor\n          startDate: {config: term.start}\n',
    ])
    await expect(parseTemplate(text, PATH)).resolves.toMatchObject({name: 'tiny'})
  })

  it.each([
    {name: 'no filter of that name', flag: 'current'},
    {name: 'a filter that skips rows', flag: 'removed'},
  ])('refuses `when` naming $name', async ({flag}) => {
    const text = edit(['signature: {column: sign, when: active}', `signature: {column: sign, when: ${flag}}`])
    await expectOneProblem(text, `when: ${flag}`, `no filter "${flag}" that keeps rows in input "staff".`)
  })

  it('refuses `unless` naming no keep filter', async () => {
    const text = edit(['signature: {column: sign, when: active}', 'signature: {column: sign, unless: gone}'])
    await expectOneProblem(text, 'unless: gone', 'no filter "gone" that keeps rows in input "staff".')
  })

  it('refuses a keep filter without a name', async () => {
    const text = edit(['      - name: active\n', '      -\n'])
    const message = await failure(text)
    expect(message).toContain('a filter that keeps rows needs a name')
    // The unnamed filter no longer keeps `active`, so `when: active` is a second problem.
    expect(message).toContain('no filter "active" that keeps rows')
  })

  it('refuses an extension of an output that does not exist', async () => {
    const text = edit([
      '  duty:\n',
      '  more:\n    extend: persons\n    from: staff\n    id: {key: [pnr]}\n    fields:\n      givenName: {column: given}\n  duty:\n',
    ])
    await expectOneProblem(text, 'extend: persons', 'no output "persons" to extend (outputs: unit, person, duty).')
  })

  it('refuses an input that no output reads', async () => {
    const text = edit(['crosswalks:\n', '  other:\n    columns:\n      x: X\ncrosswalks:\n'])
    await expectOneProblem(text, 'other:', 'input "other" is read by no output.')
  })
})

describe('parseTemplate: several problems', () => {
  it('lists every problem of the template in one error, each at its place, in the order written', async () => {
    const text = edit(
      ['organisationType: Skolenhet', 'organisationType: Skolenhett'],
      ['givenName: {column: given}', 'givenNmae: {column: given}'],
      ['startDate: {config: term.start}', 'startDate: {config: term.begin}'],
      ['signature: {column: sign, when: active}', 'signature: {column: sign, when: current}'],
    )
    const lines = (await failure(text)).split('\n')
    expect(lines[0]).toBe('The template has 4 problems:')
    expect(lines.slice(1).map((line) => line.split(': ')[0])).toEqual([
      `  ${PATH}:${at(text, 'organisationType: Skolenhett')}`,
      `  ${PATH}:${at(text, 'givenNmae')}`,
      `  ${PATH}:${at(text, 'when: current')}`,
      `  ${PATH}:${at(text, 'config: term.begin')}`,
    ])
  })

  it('lists the first 20 and counts the rest', async () => {
    const unknown = Array.from({length: 25}, (_, index) => `      nofield${index}: {column: given}`).join('\n')
    const text = edit(['familyName: {column: family}', `familyName: {column: family}\n${unknown}`])
    const lines = (await failure(text)).split('\n')
    expect(lines[0]).toBe('The template has 25 problems:')
    expect(lines).toHaveLength(22)
    expect(lines[1]).toContain(`${PATH}:${at(text, 'nofield0:')}: Person has no field Person.nofield0`)
    expect(lines[21]).toBe('  … and 5 more')
  })
})

describe('parseTemplate: crosswalk files', () => {
  let temp: {dir: string; cleanup: () => Promise<void>}
  const config: Config = {
    version: 1,
    organisation: {name: 'Exempelby kommun'},
    ids: {namespace: '6f1c2a4e-8b3d-4c5e-9f60-7a8b9c0d1e2f', secret: 'ab'.repeat(32)},
    term: {start: '2024-08-19', end: '2025-06-13'},
  }
  const template = (file: string) => `ss12000-template: 1
name: roles
version: 1.0.0
title: Roles from a side file
inputs:
  staff:
    columns:
      pnr: Personnummer
      title: Befattning
crosswalks:
  role:
    file: ${file}
outputs:
  duty:
    entity: Duty
    from: staff
    id: {key: [pnr]}
    fields:
      dutyRole: {column: title, crosswalk: role}
`
  /** Maps one row with the compiled template: the one output's fields, or the row's problem codes. */
  const mapOne = (compiled: CompiledTemplate, title: string) => {
    const mapper = new Mapper(compiled, config, {referenceDate: '2024-08-19'})
    const mapped = mapper.mapRow(
      compiled.inputs[0]!,
      {Personnummer: '1', Befattning: title},
      {pnr: 'Personnummer', title: 'Befattning'},
    )
    if (mapped.status !== 'mapped') throw new Error('the row was skipped')
    const {id: _id, ...fields} = mapped.contributions[0]?.value ?? {}
    return {fields, problems: mapped.problems.map((problem) => problem.code)}
  }

  beforeAll(async () => {
    temp = await makeTempDir('ss12000-compile-')
    await mkdir(join(temp.dir, 'tpl', 'crosswalks'), {recursive: true})
    await writeFile(
      join(temp.dir, 'tpl', 'crosswalks', 'roles.csv'),
      'Befattning;Roll\nLärare;Lärare\nFörstelärare;Lärare\nRektor;Rektor\n',
    )
    await writeFile(join(temp.dir, 'tpl', 'crosswalks', 'misspelt.csv'), 'Befattning;Roll\nLärare;Larare\n')
  })
  afterAll(async () => {
    await temp.cleanup()
  })

  it('reads a crosswalk CSV relative to the template, not the working directory', async () => {
    const compiled = await parseTemplate(template('crosswalks/roles.csv'), join(temp.dir, 'tpl', 'template.yaml'))
    expect(mapOne(compiled, 'FÖRSTELÄRARE')).toEqual({fields: {dutyRole: 'Lärare'}, problems: []})
    expect(mapOne(compiled, 'Rektor')).toEqual({fields: {dutyRole: 'Rektor'}, problems: []})
    expect(mapOne(compiled, 'Vaktmästare')).toEqual({fields: {}, problems: ['mapping.crosswalk-unmapped']})
  })

  it('checks the values of a crosswalk file against the field', async () => {
    const path = join(temp.dir, 'tpl', 'template.yaml')
    const text = template('crosswalks/misspelt.csv')
    const message = await failure(text, path)
    expect(message).toContain(`${path}:${at(text, 'crosswalk: role')}: crosswalk "role" gives "Larare"`)
  })

  it('places a missing crosswalk file at its `file` setting', async () => {
    const path = join(temp.dir, 'tpl', 'template.yaml')
    const text = template('crosswalks/none.csv')
    const message = await failure(text, path)
    const file = join(temp.dir, 'tpl', 'crosswalks', 'none.csv')
    expect(message).toMatch(/^The template has a problem:\n/)
    expect(message).toContain(`${path}:${at(text, 'file: crosswalks')}: cannot read the crosswalk file ${file}:`)
  })

  it('refuses a crosswalk with both map and file', async () => {
    const path = join(temp.dir, 'tpl', 'template.yaml')
    const text = template('crosswalks/roles.csv').replace('    file:', '    map: {Lärare: Lärare}\n    file:')
    const message = await failure(text, path)
    expect(message).toContain(
      `${path}:${at(text, 'role:\n')}: crosswalk "role" needs either map (inline) or file (a CSV beside the template), not both.`,
    )
  })
})
