import {Args} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {configFlag, remoteFlags} from '../cli/flags.js'
import {ExitCode} from '../errors.js'
import {renderProbeResult} from '../report/probe-text.js'
import {probe, type ProbeResult} from '../services/probe.js'
import {connectWithFlags} from '../services/remote-client.js'

export default class Probe extends BaseCommand<typeof Probe> {
  static override summary = 'Report what a live SS 12000 API can do with this token.'
  static override description = `Asks each collection for a first page and reports which answer, which this token may not read (403), which the server does not serve (404), how many records a page holds and whether more follow; then tries expand, expandReferenceNames, lookup, meta.modified.after (incremental pulls) and /deletedEntities. Reads only.

Credentials as for pull: --token-stdin, SS12000_TOKEN, or OAuth2 client credentials.

Exit codes: 0 the API answered, 2 usage error, 4 no collection answered.`
  static override examples = [
    {description: 'Probe a school API', command: '<%= config.bin %> <%= command.id %> https://sis.example.se/v2.0'},
    {
      description: 'Probe a local serve',
      command: '<%= config.bin %> <%= command.id %> http://127.0.0.1:12000/v2.0 --json',
    },
  ]
  static override args = {
    url: Args.string({
      description: "The API base URL, e.g. https://host/v2.0; default the configuration's remote.url.",
    }),
  }
  static override flags = {config: configFlag, ...remoteFlags}

  async run(): Promise<ProbeResult> {
    const {args, flags} = await this.parse(Probe)
    const client = await connectWithFlags(args.url, flags, (message) => this.warn(message))
    const result = await probe(client, client.server)
    if (!this.jsonEnabled()) this.log(renderProbeResult(result))
    if (!result.collections.some((collection) => collection.status === 'answers')) this.setExitCode(ExitCode.Remote)
    return result
  }
}
