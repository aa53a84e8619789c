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
