import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import {openSource} from '../../../src/sources/index.js'

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/libreoffice')

async function read(file: string, options = {}) {
  const opened = await openSource(join(FIXTURES, file), options)
  const rows = []
  for await (const row of opened.rows)
    rows.push({line: row.line, cells: {...row.cells}, issues: row.issues?.map((issue) => issue.code) ?? []})
  return {info: opened.info, rows, issues: opened.issues.map((issue) => issue.code)}
}

describe('files written by LibreOffice Calc', () => {
  it('reads its .xlsx: merged title and class cells, numbers, dates, percentages, codes, formulas, errors', async () => {
    const {info, rows, issues} = await read('elever.xlsx', {sheet: 'Elever'})
    expect(info).toMatchObject({format: 'xlsx', sheet: 'Elever', headerRow: 2, headerDetected: true})
    expect(info.sheets!.map((sheet) => sheet.name)).toEqual(['Info', 'Elever'])
    expect(info.headers).toEqual([
      'Personnummer',
      'Förnamn',
      'Klass',
      'Startdatum',
      'Omfattning',
      'Kommun',
      'Aktiv',
      'Minuter',
    ])
    expect(rows).toEqual([
      {
        line: 3,
        cells: {
          Personnummer: '201104071236',
          Förnamn: 'Åsa',
          Klass: '7A',
          Startdatum: '2026-08-17',
          Omfattning: '50%',
          Kommun: '0180',
          Aktiv: '1',
          Minuter: '40',
        },
        issues: [],
      },
      {
        line: 4,
        // Klass comes from the cell merged over rows 3–4; Minuter holds #N/A, reported and left empty.
        cells: {
          Personnummer: '201011304563',
          Förnamn: 'Elis',
          Startdatum: '2026-08-17',
          Omfattning: '100%',
          Kommun: '0180',
          Aktiv: '0',
          Klass: '7A',
        },
        issues: ['source.excel-error'],
      },
      {
        line: 5,
        cells: {
          Personnummer: '201102727896',
          Förnamn: 'Märta',
          Klass: '7B',
          Startdatum: '17/8/2026',
          Omfattning: '75%',
          Kommun: '0180',
          Aktiv: '1',
          Minuter: '60',
        },
        issues: [],
      },
    ])
    expect(issues).toEqual([])
  })

  it('reads its Windows-1252 semicolon CSV', async () => {
    const {info, rows} = await read('elever.csv')
    expect(info).toMatchObject({
      format: 'csv',
      encoding: 'windows-1252',
      encodingDetected: true,
      delimiter: ';',
      headerRow: 2,
    })
    expect(rows.map((row) => row.cells.Förnamn)).toEqual(['Åsa', 'Elis', 'Märta'])
    expect(rows[1]).toEqual({
      line: 4,
      cells: {
        Personnummer: '201011304563',
        Förnamn: 'Elis',
        Startdatum: '2026-08-17',
        Omfattning: '100%',
        Kommun: '0180',
        Aktiv: '0',
        Minuter: '#N/A',
      },
      issues: [],
    })
  })
})
