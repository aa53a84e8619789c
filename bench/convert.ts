/**
 * convert: `ss12000 convert` with the se-generic template on a generated Swedish admin-system export (students,
 * staff, groups, memberships; Windows-1252, `;`), against bare csv-parse reading the same four files. BENCH_STUDENTS
 * sets the size (default 100,000); BENCH_LARGE=1 adds the peak memory of a 1,000,000-student run.
 */
import {createReadStream} from 'node:fs'
import {mkdir, mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {parse} from 'csv-parse'

import {convert} from '../src/services/convert.js'
import {LEGACY_FILE_NAMES, writeLegacyExport} from '../test/support/legacy-export.js'
import {rate, ROOT, runCommand, timeBest} from './support.js'

const STUDENTS = Number(process.env.BENCH_STUDENTS ?? 100_000)
const CONFIG = join(ROOT, 'examples', 'ss12000.config.yaml')
/** About 500 students a school unit, as Swedish schools are (a few units of 300,000 would have classes 7AAA). */
const units = (students: number) => Math.max(3, Math.round(students / 500))

/** csv-parse the simplest correct way: Windows-1252 as latin1, `;`, from each file's header on. */
async function bareCsvParse(dir: string): Promise<number> {
  let rows = 0
  for (const name of LEGACY_FILE_NAMES) {
    // elever.csv has a title line and an empty line above its header.
    const from = name === 'elever.csv' ? 4 : 2
    const records = createReadStream(join(dir, name)).pipe(
      parse({delimiter: ';', encoding: 'latin1', from_line: from, relax_column_count: true, skip_empty_lines: true}),
    )
    for await (const _record of records) rows++
  }
  return rows
}

/** csv-parse each file into exceljs's streaming writer, one sheet a file: the bare libraries of `--annotate`. */
async function bareWorkbooks(dir: string, out: string): Promise<number> {
  const {default: excel} = await import('exceljs')
  await mkdir(out, {recursive: true})
  let rows = 0
  for (const name of LEGACY_FILE_NAMES) {
    const workbook = new excel.stream.xlsx.WorkbookWriter({filename: join(out, `${name}.xlsx`), useStyles: true})
    const sheet = workbook.addWorksheet('data')
    const records = createReadStream(join(dir, name)).pipe(
      parse({delimiter: ';', encoding: 'latin1', relax_column_count: true, skip_empty_lines: true}),
    )
    for await (const record of records as AsyncIterable<string[]>) {
      sheet.addRow(record).commit()
      rows++
    }
    await workbook.commit()
  }
  return rows
}

async function ours(dir: string, out: string, annotate = false): Promise<number> {
  const result = await convert({
    paths: [dir],
    template: 'se-generic',
    configPath: CONFIG,
    outDir: out,
    format: 'json',
    allowPartial: false,
    profile: 'ss12000-2020',
    reveal: false,
    keepAllIssues: false,
    annotate,
  })
  if (!result.valid || result.totals.rejected > 0) throw new Error(`bench export did not convert cleanly`)
  return result.totals.rows
}

export async function benchConvert(): Promise<void> {
  console.log(
    `\n## convert\n\n${STUDENTS.toLocaleString('en-US')} students in ${units(STUDENTS)} school units (se-generic export, four files)\n`,
  )
  const dir = await mkdtemp(join(tmpdir(), 'ss12000-bench-convert-'))
  try {
    const written = await writeLegacyExport(join(dir, 'in'), {students: STUDENTS, units: units(STUDENTS)})
    const total = Object.values(written).reduce((sum, count) => sum + count, 0)
    const rows = Object.entries(written).map(([name, count]) => `${name} ${count.toLocaleString('en-US')}`)
    console.log(`rows: ${rows.join(', ')} (${total.toLocaleString('en-US')} in all)\n`)
    const [bareRows, oursRows] = [await bareCsvParse(join(dir, 'in')), await ours(join(dir, 'in'), join(dir, 'out'))]
    if (bareRows !== total || oursRows !== total) throw new Error(`read ${bareRows} and ${oursRows}, not ${total}`)
    const bare = await timeBest(() => bareCsvParse(join(dir, 'in')))
    // One round each: a convert of this size takes long enough to be stable.
    const started = process.hrtime.bigint()
    await ours(join(dir, 'in'), join(dir, 'out'))
    const mine = Number(process.hrtime.bigint() - started) / 1e9
    console.log('| | rows/s | vs bare csv-parse |')
    console.log('| --- | ---: | ---: |')
    console.log(`| bare csv-parse (read only) | ${rate(total, bare)} | 1.00 |`)
    console.log(
      `| \`convert\` in process (read, map, validate, write) | ${rate(total, mine)} | ${(bare / mine).toFixed(2)} |`,
    )
    const bareAnnotate = await timeBest(() => bareWorkbooks(join(dir, 'in'), join(dir, 'bare-xlsx')))
    const annotateStarted = process.hrtime.bigint()
    await ours(join(dir, 'in'), join(dir, 'annotated-out'), true)
    const annotated = Number(process.hrtime.bigint() - annotateStarted) / 1e9
    console.log(
      `| bare csv-parse → exceljs streaming writer (one .xlsx a file) | ${rate(total, bareAnnotate)} | ${(bare / bareAnnotate).toFixed(2)} |`,
    )
    console.log(
      `| \`convert --annotate\` in process (convert, then an annotated .xlsx a file) | ${rate(total, annotated)} | ${(bare / annotated).toFixed(2)} |`,
    )
    console.log(
      `\n\`--annotate\` adds ${(annotated - mine).toFixed(1)} s to convert; the bare read-and-write takes ${bareAnnotate.toFixed(1)} s (${(bareAnnotate / Math.max(0.001, annotated - mine)).toFixed(2)}× the added time).`,
    )
    const cli = runCommand(
      ['convert', join(dir, 'in'), '-t', 'se-generic', '--config', CONFIG, '-o', join(dir, 'cli-out')],
      1,
    )
    console.log(
      `\npeak RSS of \`ss12000 convert\` on ${STUDENTS.toLocaleString('en-US')} students: ${cli.peakMiB.toFixed(0)} MiB (${rate(total, cli.seconds)} rows/s)`,
    )
    if (process.env.BENCH_LARGE === '1') {
      const count = 1_000_000
      const large = join(dir, 'large')
      const sizes = await writeLegacyExport(large, {students: count, units: units(count)})
      const largeRows = Object.values(sizes).reduce((sum, value) => sum + value, 0)
      await rm(join(dir, 'in'), {recursive: true, force: true})
      const run = runCommand(
        ['convert', large, '-t', 'se-generic', '--config', CONFIG, '-o', join(dir, 'large-out')],
        1,
      )
      console.log(
        `peak RSS of \`ss12000 convert\` on ${count.toLocaleString('en-US')} students (${largeRows.toLocaleString('en-US')} rows): ${run.peakMiB.toFixed(0)} MiB (${rate(largeRows, run.seconds)} rows/s)`,
      )
    }
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}
