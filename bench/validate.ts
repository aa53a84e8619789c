/**
 * validate: the toolkit's validate against the bare compiled ajv validator on the same persons. BENCH_PERSONS sets the
 * size (default 100,000); BENCH_LARGE=1 adds a 1,000,000-person run to show that peak memory follows the ids, not the
 * documents.
 */
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {validate} from '../src/services/validate.js'
import {getEntityValidator} from '../src/schema/validators.js'
import {generateDataset, generatePersons} from '../test/support/fictional.js'

import {rate, ROUNDS, runCommand, timeBest} from './support.js'

const PERSONS = Number(process.env.BENCH_PERSONS ?? 100_000)

async function writeInput(dir: string, persons: number): Promise<void> {
  const [unit] = generateDataset({persons: 0, staff: 1, schoolUnits: 1}).organisations
  await writeFile(join(dir, 'organisations.json'), JSON.stringify([unit]))
  // One record per line inside a JSON array: the shape most exports have, and easy on the eye when inspecting.
  const lines: string[] = []
  for (const person of generatePersons(persons, 7, {enroledAt: unit!.id})) lines.push(JSON.stringify(person))
  await writeFile(join(dir, 'persons.json'), `[\n${lines.join(',\n')}\n]\n`)
}

function bareAjv(objects: unknown[]): Promise<number> {
  const check = getEntityValidator('Person', {profile: 'ss12000-2020', mode: 'payload'})
  return timeBest(async () => {
    let invalid = 0
    for (const object of objects) if (!check(object)) invalid++
    if (invalid > 0) throw new Error(`bench data is invalid: ${invalid} records`)
  })
}

/** The bare libraries doing the whole job the simplest way: read the file, JSON.parse it whole, run ajv. */
function bareWhole(file: string): Promise<number> {
  const check = getEntityValidator('Person', {profile: 'ss12000-2020', mode: 'payload'})
  return timeBest(async () => {
    for (const object of JSON.parse(await readFile(file, 'utf8')) as unknown[]) check(object)
  })
}

function service(dir: string): Promise<number> {
  return timeBest(async () => {
    const result = await validate({
      paths: [dir],
      profile: 'ss12000-2020',
      mode: 'payload',
      reveal: false,
      allowExternalRefs: false,
      keepAllIssues: false,
    })
    if (!result.valid) throw new Error('bench data is invalid')
  })
}

function cli(dir: string): {seconds: number; peakMiB: number} {
  return runCommand(['validate', dir])
}

export async function benchValidate(): Promise<void> {
  console.log('\n## validate\n')
  const dir = await mkdtemp(join(tmpdir(), 'ss12000-bench-'))
  try {
    await writeInput(dir, PERSONS)
    const text = await readFile(join(dir, 'persons.json'), 'utf8')
    console.log(
      `data: ${PERSONS.toLocaleString('en-US')} persons, ${(text.length / 2 ** 20).toFixed(1)} MiB of JSON; best of ${ROUNDS}`,
    )
    const objects = JSON.parse(text) as unknown[]
    const bare = await bareAjv(objects)
    const whole = await bareWhole(join(dir, 'persons.json'))
    const inProcess = await service(dir)
    const command = cli(dir)
    console.log('')
    console.log('| what | seconds | records/s | vs bare ajv |')
    console.log('| --- | ---: | ---: | ---: |')
    console.log(
      `| bare compiled ajv validator, objects already parsed | ${bare.toFixed(3)} | ${rate(PERSONS, bare)} | 1.00 |`,
    )
    console.log(
      `| bare readFile + JSON.parse + ajv, whole file in memory, no positions | ${whole.toFixed(3)} | ${rate(PERSONS, whole)} | ${(bare / whole).toFixed(2)} |`,
    )
    console.log(
      `| validate service (read + parse + all layers), in process | ${inProcess.toFixed(3)} | ${rate(PERSONS, inProcess)} | ${(bare / inProcess).toFixed(2)} |`,
    )
    console.log(
      `| \`ss12000 validate\` command, whole process | ${command.seconds.toFixed(3)} | ${rate(PERSONS, command.seconds)} | ${(bare / command.seconds).toFixed(2)} |`,
    )
    console.log(
      `\npeak RSS of \`ss12000 validate\` on ${PERSONS.toLocaleString('en-US')} persons: ${command.peakMiB.toFixed(0)} MiB`,
    )

    if (process.env.BENCH_LARGE === '1') {
      const large = await mkdtemp(join(tmpdir(), 'ss12000-bench-large-'))
      try {
        const count = 1_000_000
        await writeInput(large, count)
        const run = cli(large)
        console.log(
          `peak RSS of \`ss12000 validate\` on ${count.toLocaleString('en-US')} persons: ${run.peakMiB.toFixed(0)} MiB (${rate(count, run.seconds)} records/s)`,
        )
      } finally {
        await rm(large, {recursive: true, force: true})
      }
    }
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}
