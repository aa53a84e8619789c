import {spawnSync} from 'node:child_process'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

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
  const runs: Array<{seconds: number; peakMiB: number}> = []
  for (let round = 0; round < rounds; round++) {
    const run = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, join(ROOT, 'bin/run.js'), ...args], {
      encoding: 'utf8',
      env: {...process.env, CI: '1'},
      maxBuffer: 64 * 1024 * 1024,
    })
    if (run.status !== 0)
      throw new Error(`ss12000 ${args.join(' ')} failed (${run.status}): ${run.stdout}${run.stderr}`)
    const [seconds, kib] = run.stderr.trim().split('\n').at(-1)!.split(' ').map(Number)
    runs.push({seconds: seconds!, peakMiB: kib! / 1024})
  }
  return {seconds: best(runs.map((run) => run.seconds)), peakMiB: Math.max(...runs.map((run) => run.peakMiB))}
}
