import {Listr} from 'listr2'

export interface ProgressOptions {
  /** The `--json` flag: machine output wants no progress at all. */
  json: boolean
  stream?: NodeJS.WriteStream
  env?: NodeJS.ProcessEnv
}

/** Progress is for people at a terminal: never in CI, pipes or `--json`. */
export function progressWanted({json, stream = process.stderr, env = process.env}: ProgressOptions): boolean {
  return !json && stream.isTTY === true && !env.CI && env.TERM !== 'dumb'
}

/**
 * Runs long work under a listr2 task on a terminal, with a live status line fed by `report`; elsewhere runs it
 * silently (the command prints its result afterwards). Errors pass through unchanged.
 */
export async function runWithProgress<T>(
  title: string,
  work: (report: (status: string) => void) => Promise<T>,
  options: ProgressOptions,
): Promise<T> {
  if (!progressWanted(options)) return work(() => {})
  let result: T | undefined
  const tasks = new Listr(
    [
      {
        title,
        task: async (_context, task) => {
          result = await work((status) => {
            task.output = status
          })
        },
        rendererOptions: {persistentOutput: false},
      },
    ],
    {renderer: 'default', rendererOptions: {collapseErrors: true}, exitOnError: true, registerSignalListeners: true},
  )
  await tasks.run()
  return result as T
}

/** What a line of `runWithLines` is told: how far it is, or that it finished (done) or was passed over (skipped). */
export type LineReport = {status: string; end?: 'done' | 'skipped'}

/**
 * Runs long work that advances on several lines at once (a pull's collections, an upload's entity types) under a
 * listr2 task with one concurrent subtask per line on a terminal; `report(line, …)` sets a line's status and ends
 * it. Lines the work never ends finish with it. Elsewhere the work runs silently, as with `runWithProgress`.
 */
export async function runWithLines<T>(
  title: string,
  lines: readonly string[],
  /** The last step's title, for what the work does once every line has ended (writing, committing). */
  finishing: string,
  work: (report: (line: string, report: LineReport) => void) => Promise<T>,
  options: ProgressOptions,
): Promise<T> {
  if (!progressWanted(options) || lines.length === 0) return work(() => {})
  const shown = new Map<string, (update: LineReport) => void>()
  const ends = new Map<string, {promise: Promise<void>; resolve: () => void}>()
  for (const line of lines) {
    let resolve!: () => void
    const promise = new Promise<void>((done) => (resolve = done))
    ends.set(line, {promise, resolve})
  }
  // Reports that arrive before listr2 has started a line's task are kept for it.
  const pending = new Map<string, LineReport[]>()
  const report = (line: string, update: LineReport) => {
    const show = shown.get(line)
    if (show === undefined) pending.set(line, [...(pending.get(line) ?? []), update])
    else show(update)
    if (update.end !== undefined) ends.get(line)?.resolve()
  }
  const running = work(report).finally(() => {
    for (const end of ends.values()) end.resolve()
  })
  const tasks = new Listr(
    [
      {
        title,
        task: (_context, parent) =>
          parent.newListr(
            lines.map((line) => ({
              title: line,
              task: async (_lineContext, task) => {
                const show = (update: LineReport) => {
                  if (update.end === 'skipped') task.skip(`${line}: ${update.status}`)
                  else if (update.end === 'done') task.title = `${line}: ${update.status}`
                  else task.output = update.status
                }
                shown.set(line, show)
                for (const update of pending.get(line) ?? []) show(update)
                await ends.get(line)!.promise
              },
              rendererOptions: {persistentOutput: false},
            })),
            {concurrent: true, exitOnError: false},
          ),
      },
      {title: finishing, task: async () => void (await running)},
    ],
    {
      renderer: 'default',
      // The lines stay when done: with their counts and rates they are the summary of the run.
      rendererOptions: {collapseErrors: true, collapseSubtasks: false},
      exitOnError: true,
      registerSignalListeners: true,
    },
  )
  await Promise.all([tasks.run().catch(() => {}), running])
  return running
}
