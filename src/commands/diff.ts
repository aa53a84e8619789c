import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {configFlag, dbFlag, entitiesFlag, remoteFlags, revealFlag} from '../cli/flags.js'
import type {DiffSummary} from '../diff/engine.js'
import {PROFILE_NAMES} from '../schema/profiles.js'
import {runDiff} from '../services/diff.js'
import {connectWithFlags} from '../services/remote-client.js'
import {databasePath} from '../staging/location.js'
import {localTimestamp} from '../util.js'

export default class Diff extends BaseCommand<typeof Diff> {
  static override summary = 'Compare two sets of SS 12000 data record by record, field by field.'
  static override description = `Each side is one of: staged (what a scope holds now; staged:SCOPE), batch:N (a scope right after batch N), snapshot:NAME or snapshot:N (a pulled snapshot), a file or folder of SS 12000 JSON, or an http(s) URL (pulled first into a temporary snapshot, with the credentials pull takes).

Records are paired by id, or with --match by civicNo, eppn, schoolUnitCode or externalIdentifier[:context] for systems that gave the same people different ids (with a match report: matched, ambiguous, unmatched per side). They are compared canonically: meta, _embedded, the order of arrays the standard treats as sets and the displayName of references are ignored, and so is every --ignore path. Neither side is held in memory: both are hashed into a scratch database and only what differs is read again.

The report: per entity type only left / only right / changed / same, then each record that differs with its fields as path: left → right. --format json or csv, --out to a file, --html for a self-contained report that opens in any browser. Personnummer are masked unless --reveal.

Exit codes: 0 equal, 1 differences found (like diff(1)), 2 usage error, 4 a URL side's API failed.`
  static override examples = [
    {
      description: 'What will this term’s load change?',
      command: '<%= config.bin %> <%= command.id %> staged ss12000-out',
    },
    {
      description: 'Does the new system hold what the old one did? (different ids: match by personnummer)',
      command:
        '<%= config.bin %> <%= command.id %> snapshot:gamla https://ny.example.se/v2.0 --match civicNo --html diff.html',
    },
    {
      description: 'Two batches, as CSV',
      command: '<%= config.bin %> <%= command.id %> batch:3 batch:5 --format csv --out changes.csv',
    },
  ]
  static override args = {
    left: Args.string({required: true, description: 'staged, batch:N, snapshot:NAME|N, a path, or a URL.'}),
    right: Args.string({required: true, description: 'staged, batch:N, snapshot:NAME|N, a path, or a URL.'}),
  }
  static override flags = {
    db: dbFlag,
    match: Flags.string({
      helpValue: '<key>',
      summary: 'Pair records by id (default), civicNo, eppn, schoolUnitCode or externalIdentifier[:context].',
    }),
    ignore: Flags.string({
      multiple: true,
      helpValue: '<path>',
      summary: 'A field path left out of the comparison (repeatable), e.g. emails or Person.enrolments.schoolYear.',
    }),
    entity: entitiesFlag,
    format: Flags.option({
      options: ['text', 'json', 'csv'] as const,
      default: 'text' as const,
      summary: 'The report.',
    })(),
    out: Flags.string({helpValue: '<file>', summary: 'Write the report to a file instead of stdout.'}),
    html: Flags.string({helpValue: '<file>', summary: 'Write a self-contained HTML report as well.'}),
    reveal: revealFlag,
    profile: Flags.option({
      options: PROFILE_NAMES,
      default: 'ss12000-2020' as const,
      env: 'SS12000_PROFILE',
      summary: "The rules a URL side's records are validated against as they are pulled.",
    })(),
    config: configFlag,
    ...remoteFlags,
  }

  async run(): Promise<DiffSummary> {
    const {args, flags} = await this.parse(Diff)
    const json = this.jsonEnabled()
    const warn = (message: string) => this.warn(message)
    const {summary, exitCode} = await runDiff({
      dbPath: databasePath(flags.db),
      left: args.left,
      right: args.right,
      ...(flags.match === undefined ? {} : {match: flags.match}),
      ignore: flags.ignore ?? [],
      ...(flags.entity === undefined ? {} : {entities: [...new Set(flags.entity)]}),
      reveal: flags.reveal,
      // --json prints the summary (oclif's own output); the report goes to --out or nowhere.
      format: json ? 'json' : flags.format,
      ...(flags.out === undefined ? {} : {out: flags.out}),
      ...(flags.html === undefined ? {} : {html: flags.html}),
      write: json && flags.out === undefined ? () => {} : (chunk) => process.stdout.write(chunk),
      connect: (url) => connectWithFlags(url, flags, warn),
      pull: {
        limit: 1000,
        calendarWindow: {'startTime.onOrAfter': '1970-01-01', 'startTime.onOrBefore': '2099-12-31'},
        profile: flags.profile,
        now: () => localTimestamp(),
        warn,
      },
    })
    this.setExitCode(exitCode)
    return summary
  }
}
