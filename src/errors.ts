/**
 * The one table that maps what went wrong to a process exit code. README's "Exit codes" section documents it and
 * test/unit/errors.test.ts asserts it.
 */
export const ExitCode = {
  /** Everything worked and the data is valid. */
  Ok: 0,
  /** Differences were found (reserved for `diff`, like diff(1)). */
  DifferencesFound: 1,
  /** The command line was wrong: unknown flag, missing argument, a file that does not exist. */
  Usage: 2,
  /** The input data is invalid (validation errors). */
  InvalidData: 3,
  /** A remote API failed or refused us. */
  Remote: 4,
  /** Part of the work succeeded and part was refused. */
  Partial: 5,
  /** A bug in the toolkit. The stack trace is printed only with DEBUG=ss12000*. */
  Internal: 70,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export interface ToolkitErrorOptions {
  /** What the user can do next, one sentence each. */
  actions?: string[]
  cause?: unknown
}

/** Base class of every error the toolkit throws on purpose. The base command renders it without a stack trace. */
export abstract class ToolkitError extends Error {
  abstract readonly exitCode: ExitCodeValue
  /** A stable machine-readable code, printed in `--json` errors. */
  abstract readonly code: string
  readonly actions: string[]

  constructor(message: string, options: ToolkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = new.target.name
    this.actions = options.actions ?? []
  }
}

/** The user asked for something that cannot be done as asked: bad flag values, missing files, unknown names. */
export class UsageError extends ToolkitError {
  readonly exitCode = ExitCode.Usage
  readonly code = 'usage'
}

/** The input could not be used at all (as opposed to per-record issues, which are data, not exceptions). */
export class InvalidDataError extends ToolkitError {
  readonly exitCode = ExitCode.InvalidData
  readonly code = 'invalid-data'
}

/** A remote API failed: network, HTTP status, unexpected body. */
export class RemoteError extends ToolkitError {
  readonly exitCode = ExitCode.Remote
  readonly code = 'remote'
}

/** Something the toolkit did not expect: a bug. */
export class InternalError extends ToolkitError {
  readonly exitCode = ExitCode.Internal
  readonly code = 'internal'
}

/** Whether stack traces are wanted: DEBUG names ss12000 (or `*`), as the debug package's convention goes. */
export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const debug = env.DEBUG ?? ''
  return debug.split(/[\s,]+/).some((pattern) => pattern === '*' || pattern.startsWith('ss12000'))
}
