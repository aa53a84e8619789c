import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {dbFlag, revealFlag} from '../cli/flags.js'
import {renderStatusResult} from '../report/status-text.js'
import {status, type StatusResult} from '../services/status.js'
import {databasePath} from '../staging/location.js'

export default class Status extends BaseCommand<typeof Status> {
  static override summary =
    'Show what the staging database holds: per scope its records now and its batches, newest first.'
  static override description = `For every scope (or the one --scope names), scopes with the newest batch first: the records it holds now per entity type, then its batches newest first (--limit of them), each with its id, kind, label, template and version, the time it finished, whether it was partial, the files it was staged from, and per entity type the records it held and how many of them were added, changed or unchanged against what the scope held before, how many the scope held that the batch lacked (absent; not counted for a partial batch, which replaces nothing), and the fields that changed most. Schema drift found when a batch was staged (its input's columns or value domains differ from the previous batch of its template) is shown under the scope for its newest batch, and under every batch listed.

A database with nothing staged yet is reported as such (exit 0); a database that does not exist is a usage error (exit 2). Personnummer quoted in drift warnings are masked unless --reveal.

Exit codes: 0 shown, 2 usage error.`
  static override examples = [
    {description: 'What is staged in ./ss12000.db', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'One scope of another database, all its batches',
      command: '<%= config.bin %> <%= command.id %> --db term.db --scope se-generic --limit 0',
    },
    {description: 'As JSON, for scripts', command: '<%= config.bin %> <%= command.id %> --json'},
  ]
  static override flags = {
    db: dbFlag,
    scope: Flags.string({summary: 'Show only this scope (default: every scope).'}),
    limit: Flags.integer({min: 0, default: 10, summary: 'Batches to list per scope, newest first; 0 lists them all.'}),
    reveal: revealFlag,
  }

  async run(): Promise<StatusResult> {
    const {flags} = await this.parse(Status)
    const result = status({
      dbPath: databasePath(flags.db),
      ...(flags.scope === undefined ? {} : {scope: flags.scope}),
      limit: flags.limit,
      reveal: flags.reveal,
    })
    if (!this.jsonEnabled()) this.log(renderStatusResult(result))
    return result
  }
}
