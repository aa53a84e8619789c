import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {configFlag, dbFlag, entitiesFlag, remoteFlags, revealFlag} from '../cli/flags.js'
import {UsageError} from '../errors.js'
import {renderUploadHtml, writeHtmlReport} from '../report/html/index.js'
import {runWithLines} from '../report/progress.js'
import {renderUploadReport} from '../report/upload-text.js'
import {createWriteAdapter, DEFAULT_WRITE_ADAPTER, WRITE_ADAPTER_NAMES} from '../remote/adapters/registry.js'
import {connectWithFlags, optionalConfig} from '../services/remote-client.js'
import {upload, type UploadReport} from '../services/upload.js'
import {databasePath} from '../staging/location.js'
import {DEFAULT_MAX_DELETE, type Limit, parseLimit} from '../sync/plan.js'
import {localTimestamp} from '../util.js'

export default class Upload extends BaseCommand<typeof Upload> {
  static override summary =
    'Send the staged state to a write API: plan, approve, send only changes, resume after anything.'
  static override description = `Plans what the target needs to equal the staged scope and sends it through a write adapter (skolverket-ingest: Skolverket's ingest API, which ss12000 serve --ingest also speaks). What the target holds is known from the upload journal in the staging database (what it acknowledged), or with --against-live from a pull of its read API.

Only changes go: creates (POST), updates (PUT) and deletes (DELETE), in the order the API needs (organisations → persons → duties and groups → activities; deletes in reverse), in chunks. A record the target already acknowledged is not sent again. A partial staged batch never deletes. Entity types the adapter cannot write are listed, never silently skipped.

Safety: by default an upload refuses to delete more than 5 % or more than 50 of the records the target holds of any type (--max-delete, --max-change, or upload.maxDelete/maxChange in the configuration), and shows what it would delete.

--dry-run prints the plan; with --plan-out it is written with its hash, and --plan FILE --approve HASH sends exactly that plan, refusing if the staged state moved since.

Every chunk is journaled before it goes and with its answer: after a crash (even kill -9) or a failure, the same command resumes; records sent without an answer are sent again as upserts, so nothing is created twice.

--html FILE writes a self-contained HTML report as well (no network, readable without JavaScript): the plan per entity type, what the target took and the refusals grouped by reason.

Exit codes: 0 all sent (or a dry run), 2 usage error or a safety limit, 4 the target failed (rerun to resume), 5 some records refused (listed, grouped by reason).`
  static override examples = [
    {
      description: 'What would an upload do?',
      command: '<%= config.bin %> <%= command.id %> http://127.0.0.1:12000/v2.0 --dry-run',
    },
    {
      description: 'Write the plan, read it, then send exactly that',
      command:
        '<%= config.bin %> <%= command.id %> https://ingest.example.se/v2.0 --dry-run --plan-out plan.json\n<%= config.bin %> <%= command.id %> https://ingest.example.se/v2.0 --plan plan.json --approve <hash>',
    },
    {
      description: 'A new term: allow more deletes than the default',
      command: '<%= config.bin %> <%= command.id %> https://ingest.example.se/v2.0 --max-delete 20%',
    },
  ]
  static override args = {
    url: Args.string({required: true, description: 'The write API base URL, e.g. https://host/v2.0.'}),
  }
  static override flags = {
    db: dbFlag,
    scope: Flags.string({summary: 'The staged scope to upload; needed when the database holds several.'}),
    entity: entitiesFlag,
    adapter: Flags.string({
      options: [...WRITE_ADAPTER_NAMES],
      default: DEFAULT_WRITE_ADAPTER,
      summary: 'The kind of write API.',
    }),
    'dry-run': Flags.boolean({default: false, summary: 'Print the plan; send nothing.'}),
    'plan-out': Flags.string({
      helpValue: '<file>',
      summary: 'With --dry-run: write the plan, with its hash, to a file.',
      dependsOn: ['dry-run'],
    }),
    plan: Flags.string({
      helpValue: '<file>',
      summary: 'Send exactly the plan in this file (needs --approve).',
      exclusive: ['dry-run'],
      dependsOn: ['approve'],
    }),
    approve: Flags.string({
      helpValue: '<hash>',
      summary: "The plan's hash, as the dry run showed it.",
      dependsOn: ['plan'],
    }),
    'against-live': Flags.boolean({
      default: false,
      summary: "Plan against what the target's read API holds now (a full pull) instead of the journal.",
    }),
    'read-url': Flags.string({
      helpValue: '<url>',
      summary: "The target's read API for --against-live; default the upload URL.",
    }),
    'max-delete': Flags.string({
      helpValue: '<n|p%>',
      summary: 'Deletes allowed per entity type (default: at most 5 % and at most 50 of what the target holds).',
    }),
    'max-change': Flags.string({
      helpValue: '<n|p%>',
      summary: 'Updates allowed per entity type (default: no limit).',
    }),
    'chunk-size': Flags.integer({
      min: 1,
      max: 100_000,
      helpValue: '<n>',
      summary: 'Records per request (default 500).',
    }),
    html: Flags.string({helpValue: '<file>', summary: 'Write a self-contained HTML report as well.'}),
    reveal: revealFlag,
    config: configFlag,
    ...remoteFlags,
  }

  async run(): Promise<UploadReport> {
    const {args, flags} = await this.parse(Upload)
    const json = this.jsonEnabled()
    const warn = (message: string) => this.warn(message)
    const config = (await optionalConfig(flags.config))?.upload
    const limit = (flag: string, value: string | number | undefined): Limit[] | undefined =>
      value === undefined ? undefined : [parseLimit(String(value), flag)]
    const maxDelete =
      limit('--max-delete', flags['max-delete']) ?? limit('upload.maxDelete', config?.maxDelete) ?? DEFAULT_MAX_DELETE
    const maxChange = limit('--max-change', flags['max-change']) ?? limit('upload.maxChange', config?.maxChange) ?? []
    if (flags['read-url'] !== undefined && !flags['against-live']) {
      throw new UsageError('--read-url is for --against-live.')
    }
    const client = await connectWithFlags(args.url, flags, warn)
    const adapter = createWriteAdapter(flags.adapter, client)
    const live = flags['against-live'] ? await connectWithFlags(flags['read-url'] ?? args.url, flags, warn) : undefined
    const db = databasePath(flags.db)
    const dryRun = flags['dry-run']
    const lines = adapter.entities.filter((entity) => flags.entity?.includes(entity) ?? true)
    const started = new Map<string, number>()
    const {report, exitCode} = await runWithLines(
      `Uploading to ${client.server}`,
      dryRun ? [] : lines,
      'Journaling',
      (report) =>
        upload({
          dbPath: db,
          ...(flags.scope === undefined ? {} : {scope: flags.scope}),
          adapter,
          target: client.server,
          ...(flags.entity === undefined ? {} : {entities: [...new Set(flags.entity)]}),
          mode: dryRun
            ? {kind: 'dry-run', ...(flags['plan-out'] === undefined ? {} : {planOut: flags['plan-out']})}
            : flags.plan !== undefined
              ? {kind: 'approved', planFile: flags.plan, approve: flags.approve!}
              : {kind: 'run'},
          ...(live === undefined
            ? {}
            : {
                live: {
                  client: live,
                  source: live.server,
                  pull: {
                    limit: 1000,
                    calendarWindow: {'startTime.onOrAfter': '1970-01-01', 'startTime.onOrBefore': '2099-12-31'},
                    profile: 'ss12000-2020',
                    now: () => localTimestamp(),
                    warn,
                  },
                },
              }),
          limits: {maxDelete, maxChange},
          chunkSize: flags['chunk-size'] ?? config?.chunkSize ?? 500,
          concurrency: flags.concurrency,
          reveal: flags.reveal,
          now: () => localTimestamp(),
          warn,
          onProgress: (event) => {
            if (event.kind === 'planned') {
              for (const entity of lines) {
                started.set(entity, performance.now())
                if ((event.totals[entity] ?? 0) === 0) report(entity, {status: 'nothing to send', end: 'done'})
              }
              return
            }
            const seconds = (performance.now() - (started.get(event.entity) ?? performance.now())) / 1000
            const rate =
              seconds >= 1 ? ` · ${Math.round((event.sent + event.refused) / seconds).toLocaleString('en-US')}/s` : ''
            const refused = event.refused > 0 ? ` · ${event.refused.toLocaleString('en-US')} refused` : ''
            report(event.entity, {
              status: `${(event.sent + event.refused).toLocaleString('en-US')}/${event.total.toLocaleString('en-US')} sent${rate}${refused}`,
              ...(event.kind === 'done' ? {end: 'done' as const} : {}),
            })
          },
        }),
      {json},
    )
    if (flags.html !== undefined) await writeHtmlReport(flags.html, renderUploadHtml(report, {reveal: flags.reveal}))
    if (!json) this.log(renderUploadReport(report))
    this.setExitCode(exitCode)
    return report
  }
}
