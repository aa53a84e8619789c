/**
 * readers: our CSV and Excel readers against bare csv-parse and bare exceljs streaming on the same generated student
 * export, and the peak memory of `ss12000 inspect` on 100,000 and 1,000,000 CSV rows (it should stay flat).
 * BENCH_ROWS sets the size (default 100,000).
 */
import {createReadStream} from 'node:fs'
import {mkdtemp, rm, stat, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {parse} from 'csv-parse'
import ExcelJS from 'exceljs'

import {openSource} from '../src/sources/index.js'
import {generatePersons} from '../test/support/fictional.js'
import {rate, runCommand, timeBest} from './support.js'

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000)
const HEADER = [
  'Personnummer',
  'Förnamn',
  'Efternamn',
  'Klass',
  'Skolenhetskod',
  'E-post',
  'Kön',
  'Startdatum',
  'Gatuadress',
  'Postnummer',
  'Ort',
  'Mobil',
]

function* studentRows(count: number): Generator<string[]> {
  let index = 0
  for (const person of generatePersons(count, 11)) {
    const civic = person.civicNo!.value
    index++
    yield [
      `${civic.slice(0, 8)}-${civic.slice(8)}`,
      person.givenName,
      person.familyName,
      `${1 + (index % 9)}${'ABC'[index % 3]}`,
      '12345678',
      person.emails?.[0]?.value ?? '',
      person.sex ?? '',
      '2026-08-17',
      `Skolvägen ${1 + (index % 120)}`,
      `${12000 + (index % 800)}`,
      'Exempelby',
      `070-${String(1000000 + index).slice(-7, -4)} ${String(index).padStart(4, '0').slice(-4, -2)} ${String(index).slice(-2).padStart(2, '0')}`,
    ]
  }
}

async function writeCsv(file: string, count: number): Promise<void> {
  const lines = [HEADER.join(';')]
  for (const row of studentRows(count)) lines.push(row.join(';'))
  await writeFile(file, `${lines.join('\r\n')}\r\n`)
}

async function writeXlsx(file: string, count: number): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({filename: file, useSharedStrings: true})
  const sheet = workbook.addWorksheet('Elever')
  sheet.addRow(HEADER).commit()
  for (const row of studentRows(count)) {
    // As exports really are: the personnummer as a number, the start date as a real date.
    const values: unknown[] = [...row]
    values[0] = Number(row[0]!.replace('-', ''))
    values[7] = new Date(Date.UTC(2026, 7, 17))
    sheet.addRow(values).commit()
  }
  await workbook.commit()
}

async function countOurs(file: string): Promise<number> {
  const opened = await openSource(file)
  let rows = 0
  for await (const _row of opened.rows) rows++
  return rows
}

async function countCsvParse(file: string): Promise<number> {
  let rows = 0
  for await (const _record of createReadStream(file).pipe(parse({delimiter: ';', from_line: 2}))) rows++
  return rows
}

async function countExcelJs(file: string): Promise<number> {
  let rows = 0
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {})
  for await (const worksheet of reader) {
    for await (const row of worksheet) {
      void row.values
      rows++
    }
  }
  return rows - 1
}

async function compare(
  name: string,
  file: string,
  ours: () => Promise<number>,
  bare: () => Promise<number>,
  bareName: string,
) {
  const [oursCount, bareCount] = [await ours(), await bare()]
  if (oursCount !== ROWS || bareCount !== ROWS)
    throw new Error(`${name}: read ${oursCount} and ${bareCount} rows, not ${ROWS}`)
  const oursSeconds = await timeBest(ours)
  const bareSeconds = await timeBest(bare)
  const size = (await stat(file)).size / 2 ** 20
  console.log(
    `| ${name} (${size.toFixed(1)} MiB) | ${bareName} | ${rate(ROWS, bareSeconds)} | ${rate(ROWS, oursSeconds)} | ${(bareSeconds / oursSeconds).toFixed(2)} |`,
  )
}

export async function benchReaders(): Promise<void> {
  console.log(`\n## readers\n\n${ROWS.toLocaleString('en-US')} student rows, 12 columns; best of 3\n`)
  const dir = await mkdtemp(join(tmpdir(), 'ss12000-bench-readers-'))
  try {
    const csv = join(dir, 'elever.csv')
    const xlsx = join(dir, 'elever.xlsx')
    await writeCsv(csv, ROWS)
    await writeXlsx(xlsx, ROWS)
    console.log('| file | bare library | bare rows/s | ours rows/s | ours vs bare |')
    console.log('| --- | --- | ---: | ---: | ---: |')
    await compare(
      'CSV, UTF-8, `;`',
      csv,
      () => countOurs(csv),
      () => countCsvParse(csv),
      'csv-parse stream',
    )
    await compare(
      'XLSX',
      xlsx,
      () => countOurs(xlsx),
      () => countExcelJs(xlsx),
      'exceljs WorkbookReader',
    )

    const inspectSmall = runCommand(['inspect', csv], 1)
    console.log(
      `\npeak RSS of \`ss12000 inspect\` on ${ROWS.toLocaleString('en-US')} CSV rows: ${inspectSmall.peakMiB.toFixed(0)} MiB`,
    )
    if (process.env.BENCH_LARGE === '1') {
      const large = join(dir, 'elever-large.csv')
      const count = 1_000_000
      await writeCsv(large, count)
      const inspectLarge = runCommand(['inspect', large], 1)
      console.log(
        `peak RSS of \`ss12000 inspect\` on ${count.toLocaleString('en-US')} CSV rows: ${inspectLarge.peakMiB.toFixed(0)} MiB (${rate(count, inspectLarge.seconds)} rows/s)`,
      )
    }
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}
