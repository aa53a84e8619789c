import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {configFlag, dbFlag, entitiesFlag, remoteFlags, revealFlag} from '../cli/flags.js'
import {UsageError} from '../errors.js'
import {runWithLines} from '../report/progress.js'
import {type PullReport, renderPullResult} from '../report/pull-text.js'
import {ENTITY_NAMING, type EntityName} from '../schema/entity-names.js'
import {PROFILE_NAMES} from '../schema/profiles.js'
import {pull, PULLED_ENTITIES} from '../services/pull.js'
import {connectWithFlags} from '../services/remote-client.js'
import {databasePath} from '../staging/location.js'
import {localTimestamp, RFC3339_DATE_TIME} from '../util.js'

export default class Pull extends BaseCommand<typeof Pull> {
  static override summary = 'Fetch a live SS 12000 API into a snapshot batch in the staging database.'
  static override description = `Pages through the API's collections (all the standard stores, or --entity ones) and stages what it answers as one snapshot batch of the scope --name (default: the API's host), with the source URL, the time and the counts. The first pull, and --full, fetch everything: what the snapshot held that the API no longer has is removed. Later pulls ask only for what changed since the last one started (meta.modified.after) and apply /deletedEntities; a server that supports neither gets a full pull, with a warning.

Responses are validated with the toolkit's schemas (response mode): invalid records are kept and their issues recorded in the record_issue table, never dropped. The batch is one transaction: a pull that fails leaves the snapshot as it was.

Credentials: --token-stdin, SS12000_TOKEN, or OAuth2 client credentials (SS12000_TOKEN_URL, SS12000_CLIENT_ID, SS12000_CLIENT_SECRET, or the configuration's remote section). https is required except to this machine; a private CA goes in NODE_EXTRA_CA_CERTS.

Exit codes: 0 pulled, 2 usage error, 4 the API failed.`
  static override examples = [
    {
      description: 'Pull everything a school API serves (token from the environment)',
      command: '<%= config.bin %> <%= command.id %> https://sis.example.se/v2.0',
    },
    {
      description: 'Pull persons and groups from a local serve, as snapshot "gamla"',
      command:
        '<%= config.bin %> <%= command.id %> http://127.0.0.1:12000/v2.0 --entity persons --entity groups --name gamla',
    },
    {
      description: 'A token from a secrets manager, never in argv',
      command:
        'vault read -field=token secret/sis | <%= config.bin %> <%= command.id %> https://sis.example.se/v2.0 --token-stdin',
    },
  ]
  static override args = {
    url: Args.string({
      description: "The API base URL, e.g. https://host/v2.0; default the configuration's remote.url.",
    }),
  }
  static override flags = {
    db: dbFlag,
    name: Flags.string({helpValue: '<name>', summary: "The snapshot's name (its scope); default the API's host."}),
    entity: entitiesFlag,
    full: Flags.boolean({default: false, summary: 'Fetch everything, even when an incremental pull is possible.'}),
    since: Flags.string({
      helpValue: '<date-time>',
      summary: 'Fetch what changed after this time (RFC 3339) instead of since the last pull.',
      exclusive: ['full'],
    }),
    limit: Flags.integer({default: 1000, min: 1, helpValue: '<n>', summary: 'Records per page to ask for.'}),
    'events-from': Flags.string({
      helpValue: '<date>',
      default: '1970-01-01',
      summary: "calendarEvents' required start-time window: from.",
    }),
    'events-to': Flags.string({
      helpValue: '<date>',
      default: '2099-12-31',
      summary: "calendarEvents' required start-time window: to.",
    }),
    profile: Flags.option({
      options: PROFILE_NAMES,
      default: 'ss12000-2020' as const,
      env: 'SS12000_PROFILE',
      summary: 'The rules the responses are validated against.',
    })(),
    config: configFlag,
    reveal: revealFlag,
    ...remoteFlags,
  }

  async run(): Promise<PullReport> {
    const {args, flags} = await this.parse(Pull)
    if (flags.since !== undefined && !RFC3339_DATE_TIME.test(flags.since)) {
      throw new UsageError(`--since must be an RFC 3339 date-time with an offset, not ${flags.since}.`)
    }
    const json = this.jsonEnabled()
    const warn = (message: string) => this.warn(message)
    const client = await connectWithFlags(args.url, flags, warn)
    const source = client.server
    const scope = flags.name ?? new URL(source).host
    const db = databasePath(flags.db)
    const started = performance.now()
    const entities = flags.entity ? [...new Set(flags.entity)] : PULLED_ENTITIES
    const result = await runWithLines(
      `Pulling ${source}`,
      entities.map((entity) => `/${ENTITY_NAMING[entity].collection}`),
      'Writing the snapshot',
      (report) => {
        const startedAt = new Map<EntityName, number>()
        const status = (entity: EntityName, received: number) => {
          const seconds = Math.max((performance.now() - (startedAt.get(entity) ?? started)) / 1000, 0.001)
          const count = `${received.toLocaleString('en-US')} record${received === 1 ? '' : 's'}`
          return seconds < 1 ? count : `${count} · ${Math.round(received / seconds).toLocaleString('en-US')}/s`
        }
        return pull({
          client,
          source,
          dbPath: db,
          scope,
          entities,
          mode: flags.full ? 'full' : flags.since ? {since: flags.since} : 'auto',
          limit: flags.limit,
          calendarWindow: {'startTime.onOrAfter': flags['events-from'], 'startTime.onOrBefore': flags['events-to']},
          profile: flags.profile,
          reveal: flags.reveal,
          now: () => localTimestamp(),
          warn,
          onProgress: (event) => {
            const line = `/${ENTITY_NAMING[event.entity].collection}`
            if (event.kind === 'start') startedAt.set(event.entity, performance.now())
            else if (event.kind === 'records') report(line, {status: status(event.entity, event.received)})
            else if (event.kind === 'done') report(line, {status: status(event.entity, event.received), end: 'done'})
            else report(line, {status: event.reason, end: 'skipped'})
          },
        })
      },
      {json},
    )
    const pulled: PullReport = {...result, source, scope, db, seconds: (performance.now() - started) / 1000}
    if (!json) this.log(renderPullResult(pulled))
    return pulled
  }
}
