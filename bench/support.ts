import {spawnSync} from 'node:child_process'
import {once} from 'node:events'
import {createWriteStream} from 'node:fs'
import {writeFile} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import {finished} from 'node:stream/promises'
import {fileURLToPath} from 'node:url'

import {generateDataset, generatePersons} from '../test/support/fictional.js'

export const ROOT = resolve(fileURLToPath(import.meta.url), '../..')
export const ROUNDS = 3

export function best(values: number[]): number {
  return Math.min(...values)
}

/** records/s, formatted. */
export function rate(records: number, seconds: number): string {
  return Math.round(records / seconds).toLocaleString('en-US')
}

/** Seconds an async function takes, best of ROUNDS. */
export async function timeBest(work: () => Promise<unknown>): Promise<number> {
  const times: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint()
    await work()
    times.push(Number(process.hrtime.bigint() - started) / 1e9)
  }
  return best(times)
}

/** The real command in its own process, timed by /usr/bin/time: best wall seconds and highest peak RSS. */
export function runCommand(args: string[], rounds = ROUNDS): {seconds: number; peakMiB: number} {
  return timeProcess([join(ROOT, 'bin/run.js'), ...args], `ss12000 ${args.join(' ')}`, rounds)
}

/** A TypeScript script of bench/ in its own process (through tsx), timed as runCommand times the command. */
export function runScript(script: string, args: string[], rounds = ROUNDS): {seconds: number; peakMiB: number} {
  return timeProcess(['--import', 'tsx', join(ROOT, 'bench', script), ...args], `${script} ${args.join(' ')}`, rounds)
}

function timeProcess(argv: string[], what: string, rounds: number): {seconds: number; peakMiB: number} {
  const runs: Array<{seconds: number; peakMiB: number}> = []
  for (let round = 0; round < rounds; round++) {
    const run = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, ...argv], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {...process.env, CI: '1'},
      maxBuffer: 64 * 1024 * 1024,
    })
    if (run.status !== 0) throw new Error(`${what} failed (${run.status}): ${run.stdout}${run.stderr}`)
    const [seconds, kib] = run.stderr.trim().split('\n').at(-1)!.split(' ').map(Number)
    runs.push({seconds: seconds!, peakMiB: kib! / 1024})
  }
  return {seconds: best(runs.map((run) => run.seconds)), peakMiB: Math.max(...runs.map((run) => run.peakMiB))}
}

/** Wall-clock and CPU seconds (user + system, all threads of this process) of one piece of work. */
export interface Timing {
  wall: number
  cpu: number
}

/** Times synchronous or asynchronous work: its wall-clock and CPU seconds. */
export async function timed(work: () => unknown): Promise<Timing> {
  const cpu = process.cpuUsage()
  const started = process.hrtime.bigint()
  await work()
  const wall = Number(process.hrtime.bigint() - started) / 1e9
  const used = process.cpuUsage(cpu)
  return {wall, cpu: (used.user + used.system) / 1e6}
}

/**
 * Best of ROUNDS of a measurement that times its own work (so that setting each round up is left out): the least
 * wall-clock and the least CPU time, each over the rounds. On a shared machine CPU time is the steadier of the two.
 */
export async function bestTiming(measure: () => Promise<Timing>): Promise<Timing> {
  const timings: Timing[] = []
  for (let round = 0; round < ROUNDS; round++) timings.push(await measure())
  return {wall: best(timings.map((timing) => timing.wall)), cpu: best(timings.map((timing) => timing.cpu))}
}

/**
 * Writes `count` generated valid persons to `<dir>/persons.json` (one JSON array, one record per line, streamed so a
 * million persons never sit in memory) and the one organisation they are enroled at to `<dir>/organisations.json`.
 * The same count gives the same bytes.
 */
export async function writePersonsInput(dir: string, count: number): Promise<void> {
  const [unit] = generateDataset({persons: 0, staff: 1, schoolUnits: 1}).organisations
  await writeFile(join(dir, 'organisations.json'), JSON.stringify([unit]))
  const out = createWriteStream(join(dir, 'persons.json'))
  const write = (text: string) => (out.write(text) ? Promise.resolve() : once(out, 'drain'))
  await write('[\n')
  let first = true
  for (const person of generatePersons(count, 7, {enroledAt: unit!.id})) {
    await write(`${first ? '' : ',\n'}${JSON.stringify(person)}`)
    first = false
  }
  await write('\n]\n')
  out.end()
  await finished(out)
}
