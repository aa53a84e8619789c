import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {dbFlag, revealFlag} from '../cli/flags.js'
import {UsageError} from '../errors.js'
import {renderHistoryResult} from '../report/history-text.js'
import {ENTITY_NAMES, entityFromName, type EntityName} from '../schema/entity-names.js'
import {history, type HistoryResult} from '../services/history.js'
import {databasePath} from '../staging/location.js'

const entityArg = Args.custom<EntityName>({
  parse: async (input) => {
    const entity = entityFromName(input)
    if (!entity) throw new UsageError(`Unknown entity type "${input}". Use one of: ${ENTITY_NAMES.join(', ')}.`)
    return entity
  },
})

export default class History extends BaseCommand<typeof History> {
  static override summary = 'Show the versions of one staged record across batches, with the fields each changed.'
  static override description = `Lists, oldest first, every batch that added, changed or removed the record: the batch (id, label, time, and scope when the record is staged in several), the file and line the version came from, and what it did. The first version lists the record's fields; a change lists the fields that differ from the previous version (leaf paths such as civicNo.value; arrays compared as sets, with the items that came and went); a removal says which full batch no longer held it; a record that comes back after a removal is "added again" and compared with its last version before. A batch that held the record unchanged wrote no version and is not listed. The first lines say whether each scope holds the record now.

<entity> is an entity type as SS 12000 names it (Person), its API collection (persons) or its key in an ingest body; <id> is the record's id. Personnummer are masked in all output, --json included, unless --reveal.

Exit codes: 0 shown, 2 usage error (no such database, scope, entity type or record).`
  static override examples = [
    {
      description: 'The history of one student',
      command: '<%= config.bin %> <%= command.id %> Person e7ab7883-c835-46f9-8b82-193d75a7ccaa',
    },
    {
      description: 'A group in one scope of another database',
      command:
        '<%= config.bin %> <%= command.id %> groups 866e4b55-22e4-42f6-aad0-fcd6126c4c47 --scope se-generic --db term.db',
    },
    {
      description: 'As JSON, every version whole, personnummer shown',
      command: '<%= config.bin %> <%= command.id %> Person e7ab7883-c835-46f9-8b82-193d75a7ccaa --json --reveal',
    },
  ]
  static override args = {
    entity: entityArg({required: true, description: 'The entity type: Person, persons, Group, groups, …'}),
    id: Args.string({required: true, description: "The record's id."}),
  }
  static override flags = {
    db: dbFlag,
    scope: Flags.string({summary: 'Look only in this scope (default: every scope).'}),
    reveal: revealFlag,
  }

  async run(): Promise<HistoryResult> {
    const {args, flags} = await this.parse(History)
    const result = history({
      dbPath: databasePath(flags.db),
      entity: args.entity,
      id: args.id,
      ...(flags.scope === undefined ? {} : {scope: flags.scope}),
      reveal: flags.reveal,
    })
    if (!this.jsonEnabled()) this.log(renderHistoryResult(result))
    return result
  }
}
