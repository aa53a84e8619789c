import {Command, Errors, Flags as OclifFlags, Interfaces} from '@oclif/core'

import {debugEnabled, ExitCode, type ExitCodeValue, ToolkitError} from '../errors.js'
import {type Language, languageFromEnv, LANGUAGES, setLanguage} from '../i18n/language.js'

export type Flags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>
export type Args<T extends typeof Command> = Interfaces.InferredArgs<T['args']>
/* eslint-disable @typescript-eslint/no-explicit-any -- oclif's FlagOutput and ArgOutput, which it does not export */
type ParsedFlags = {[name: string]: any}
type ParsedArgs = {[name: string]: any}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The shape of an error in `--json` mode: one document on stdout, like a success result. */
export interface JsonError {
  error: {code: string; message: string; exitCode: number; actions: string[]}
}

export interface DescribedError {
  code: string
  message: string
  exitCode: ExitCodeValue | number
  actions: string[]
  stack?: string
  internal: boolean
}

/**
 * Only what every command shares: `--json`, `--lang`, and the mapping of thrown errors to exit codes and messages.
 * Flags live in src/cli/flags.ts; the work lives in src/services.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true
  static override baseFlags = {
    lang: OclifFlags.option({
      options: LANGUAGES,
      helpGroup: 'GLOBAL',
      summary: 'Messages about the data in en or sv; default sv when LC_ALL, LC_MESSAGES or LANG is sv_*, else en.',
    })(),
  }

  protected flags!: Flags<T>
  protected args!: Args<T>

  /** The language from the environment, before the flags are parsed: `--lang` (in `parse`) overrides it. */
  public override async init(): Promise<void> {
    await super.init()
    setLanguage(languageFromEnv(process.env))
  }

  /** Parses as oclif does, then sets the language of messages from `--lang` for the rest of the run. */
  protected override async parse<F extends ParsedFlags, B extends ParsedFlags, A extends ParsedArgs>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv)
    const {lang} = parsed.flags as {lang?: Language}
    if (lang !== undefined) setLanguage(lang)
    return parsed
  }

  /** Sets the exit code the process ends with once the command's result has been printed. */
  protected setExitCode(code: ExitCodeValue): void {
    process.exitCode = code
  }

  /** Writes a line to stderr unless `--json` is on: progress and warnings never mix with the result on stdout. */
  protected note(line: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${line}\n`)
  }

  /** A warning as one line on stderr (`Warning: …`), never wrapped to the terminal's width: logs are read with grep. */
  public override warn(input: string | Error): string | Error {
    process.stderr.write(`Warning: ${typeof input === 'string' ? input : input.message}\n`)
    return input
  }

  protected override async catch(err: Error & {exitCode?: number}): Promise<void> {
    if (err instanceof Errors.ExitError) throw err
    const described = describeError(err)
    process.exitCode = described.exitCode
    if (this.jsonEnabled()) {
      const json: JsonError = {
        error: {
          code: described.code,
          message: described.message,
          exitCode: described.exitCode,
          actions: described.actions,
        },
      }
      this.logJson(json)
      return
    }
    const lines = [`Error: ${described.message}`, ...described.actions.map((action) => `  → ${action}`)]
    if (described.internal) {
      lines.push('This is a bug in ss12000-toolkit. Rerun with DEBUG=ss12000* for the stack trace and report it.')
    }
    if (described.stack && debugEnabled()) lines.push(described.stack)
    process.stderr.write(`${lines.join('\n')}\n`)
  }
}

/** How a thrown error is shown and which exit code it gets. */
export function describeError(err: Error & {exitCode?: number}): DescribedError {
  if (err instanceof ToolkitError) {
    return {
      code: err.code,
      message: tidyParseMessage(err.message),
      exitCode: err.exitCode,
      actions: err.actions,
      stack: err.stack,
      internal: err.exitCode === ExitCode.Internal,
    }
  }
  // oclif's own parse errors (unknown flag, missing argument, bad option value) carry exit 2: a usage error.
  const oclifExit = (err as {oclif?: {exit?: number}}).oclif?.exit
  if (err instanceof Errors.CLIError && oclifExit === ExitCode.Usage) {
    return {
      code: 'usage',
      message: tidyParseMessage(err.message),
      exitCode: ExitCode.Usage,
      actions: ['See the command help with --help.'],
      stack: err.stack,
      internal: false,
    }
  }
  return {
    code: 'internal',
    message: err.message || String(err),
    exitCode: ExitCode.Internal,
    actions: [],
    stack: err.stack,
    internal: true,
  }
}

/** oclif wraps flag-parsing errors as "Parsing --flag \n\t<reason>\nSee more help with --help": keep it to one line. */
function tidyParseMessage(message: string): string {
  return message.replace(/\n\s*See more help with --help\s*$/, '').replace(/^Parsing (--[\w-]+)\s*\n\s*/, '$1: ')
}
