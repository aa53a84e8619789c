import {createWriteStream} from 'node:fs'
import {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'

import {type DiffSummary, diffExitCode, openDiff} from '../diff/engine.js'
import {parseMatchSpec} from '../diff/match.js'
import {type DiffSideSpec, parseSideSpec, type ParsedSide} from '../diff/side-spec.js'
import type {ExitCodeValue} from '../errors.js'
import {renderDiffCsv} from '../report/diff-csv.js'
import {renderDiffHtml} from '../report/diff-html.js'
import {writeHtmlReport} from '../report/html/index.js'
import {renderDiffJson} from '../report/diff-json.js'
import {renderDiffText} from '../report/diff-text.js'
import type {EntityName} from '../schema/entity-names.js'
import {type PullClient, PULLED_ENTITIES, type PullOptions, pullToTemporaryDatabase} from './pull.js'

export type DiffFormat = 'text' | 'json' | 'csv'

export interface RunDiffOptions {
  dbPath: string
  left: string
  right: string
  match?: string
  ignore: string[]
  entities?: EntityName[]
  reveal: boolean
  format: DiffFormat
  /** Where the report goes; default `write` (stdout). */
  out?: string
  /** A self-contained HTML report as well. */
  html?: string
  write: (chunk: string) => void
  /** A client of the API at a URL side (pulled into a temporary snapshot first). */
  connect: (url: string) => Promise<PullClient & {server: string}>
  /** How a URL side is pulled. */
  pull: Pick<PullOptions, 'limit' | 'calendarWindow' | 'profile' | 'now' | 'warn' | 'onProgress'>
}

/**
 * `ss12000 diff`: reads both sides (a URL is pulled first into a temporary snapshot database, removed afterwards),
 * compares them with the diff engine, and writes the report as asked — streamed, so a large diff never sits in
 * memory — plus the HTML report. Returns the summary and the exit code: 0 equal, 1 different.
 */
export async function runDiff(options: RunDiffOptions): Promise<{summary: DiffSummary; exitCode: ExitCodeValue}> {
  const temporary: Array<() => Promise<void>> = []
  try {
    const left = await resolveSide(parseSideSpec(options.left), options, temporary)
    const right = await resolveSide(parseSideSpec(options.right), options, temporary)
    const run = await openDiff({
      dbPath: options.dbPath,
      left,
      right,
      ...(options.match === undefined ? {} : {match: parseMatchSpec(options.match)}),
      ignore: options.ignore,
      ...(options.entities === undefined ? {} : {entities: options.entities}),
      reveal: options.reveal,
    })
    try {
      const report =
        options.format === 'json'
          ? renderDiffJson(run.summary, run.details())
          : options.format === 'csv'
            ? renderDiffCsv(run.details())
            : renderDiffText(run.summary, run.details())
      if (options.out === undefined) for (const chunk of report) options.write(chunk)
      else await pipeline(Readable.from(report), createWriteStream(options.out))
      if (options.html !== undefined) {
        await writeHtmlReport(options.html, renderDiffHtml(run.summary, run.details()))
      }
      return {summary: run.summary, exitCode: diffExitCode(run.summary)}
    } finally {
      run.close()
    }
  } finally {
    for (const cleanup of temporary) await cleanup()
  }
}

/** A side as the engine takes it: a URL becomes the snapshot of a temporary database it is pulled into. */
async function resolveSide(
  side: ParsedSide,
  options: RunDiffOptions,
  temporary: Array<() => Promise<void>>,
): Promise<DiffSideSpec> {
  if (side.kind !== 'url') return side
  const client = await options.connect(side.url)
  const pulled = await pullToTemporaryDatabase({
    ...options.pull,
    client,
    source: client.server,
    entities: options.entities ?? PULLED_ENTITIES,
    reveal: options.reveal,
  })
  temporary.push(pulled.cleanup)
  // The engine opens the database by its path.
  pulled.db.close()
  return {kind: 'snapshot', scope: pulled.scope, db: pulled.dbPath}
}
