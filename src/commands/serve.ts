import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {dbFlag} from '../cli/flags.js'
import {PROFILE_NAMES} from '../schema/profiles.js'
import {SERVE_TOKEN_ENV, startServer, tokensFromEnvironment} from '../services/serve.js'
import {databasePath} from '../staging/location.js'
import {localTimestamp} from '../util.js'

export default class Serve extends BaseCommand<typeof Serve> {
  static override summary = 'Serve a staged scope as a standard SS 12000 read API (and ingest API).'
  static override description = `Serves what a scope of the staging database holds now as the SS 12000 read API: every collection with paging (limit, pageToken), the meta windows and the standard's filters, GET by id, POST lookup and deletedEntities from the staging history. meta.created and meta.modified are the finish times of the batches that created and last changed each record.

Clients authenticate with a bearer token from ${SERVE_TOKEN_ENV} (several: comma-separated); a request without a valid one gets 403, as the standard says. --no-auth serves without tokens, and only on a loopback address. Binds 127.0.0.1 unless --host says otherwise; --cert and --key serve HTTPS.

Prints the base URL on one line once it listens, then serves until interrupted (Ctrl-C).`
  static override examples = [
    {
      description: 'Serve the only scope of ./ss12000.db on this machine, tokens from the environment',
      command: '<%= config.bin %> <%= command.id %> --port 12000',
    },
    {
      description: 'Serve without tokens, for a local test client',
      command: '<%= config.bin %> <%= command.id %> --no-auth --port 0',
    },
  ]
  static override flags = {
    db: dbFlag,
    scope: Flags.string({helpValue: '<name>', summary: 'The scope to serve; needed when the database holds several.'}),
    host: Flags.string({default: '127.0.0.1', summary: 'The address to listen on.'}),
    port: Flags.integer({default: 12000, min: 0, max: 65535, summary: 'The port (0: any free port).'}),
    'base-path': Flags.string({default: '/v2.0', summary: "Where the API lives (the standard's servers entry)."}),
    auth: Flags.boolean({
      default: true,
      allowNo: true,
      summary: `Require a bearer token from ${SERVE_TOKEN_ENV}; --no-auth only on loopback.`,
    }),
    ingest: Flags.boolean({
      default: false,
      summary:
        "Serve Skolverket's ingest API too: POST/PUT/DELETE on organisations, persons, groups, duties, activities.",
    }),
    profile: Flags.option({
      options: PROFILE_NAMES,
      env: 'SS12000_PROFILE',
      summary: "What --ingest validates against; default skolverket (Skolverket's ingest profile, as its server).",
    })(),
    cert: Flags.string({
      helpValue: '<file>',
      summary: 'TLS certificate (PEM); with --key, serve HTTPS.',
      dependsOn: ['key'],
    }),
    key: Flags.string({helpValue: '<file>', summary: 'TLS private key (PEM).', dependsOn: ['cert']}),
  }

  async run(): Promise<{url: string}> {
    const {flags} = await this.parse(Serve)
    const dbPath = databasePath(flags.db)
    // Listening for the signals before the server starts: one that comes while it starts stops it once it has.
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve())
      process.once('SIGTERM', () => resolve())
    })
    const server = await startServer({
      dbPath,
      ...(flags.scope === undefined ? {} : {scope: flags.scope}),
      host: flags.host,
      port: flags.port,
      basePath: flags['base-path'],
      ...(flags.auth ? {tokens: tokensFromEnvironment()} : {}),
      ...(flags.cert && flags.key ? {tls: {certPath: flags.cert, keyPath: flags.key}} : {}),
      ...(flags.ingest ? {ingest: {profile: flags.profile ?? 'skolverket'}} : {}),
      now: () => localTimestamp(),
    })
    this.log(
      `Serving scope ${server.scope} of ${dbPath} at ${server.url}${flags.auth ? ' (bearer token required)' : ' (no auth)'}`,
    )
    await stopped
    await server.close()
    return {url: server.url}
  }
}
