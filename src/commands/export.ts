import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {dbFlag, entityFlag, revealFlag} from '../cli/flags.js'
import {runWithProgress} from '../report/progress.js'
import {renderExportResult} from '../report/export-text.js'
import {EXPORT_FORMATS, type ExportFormat, exportStaged, type ExportResult} from '../services/export.js'
import {databasePath} from '../staging/location.js'

export default class Export extends BaseCommand<typeof Export> {
  static override summary = 'Export staged records as SS 12000 JSON or NDJSON, or flattened as CSV or Excel.'
  static override description = `Exports what a scope of the staging database holds now, or right after an earlier batch (--batch), for one entity type (--entity) or all of them (--all).

json and ndjson: the records exactly as staged, personnummer included (data for machines), their fields in the order the SS 12000 model lists them, id first. With --all, --out is a folder of <collection>.json or .ndjson files, as convert writes them, so ss12000 validate and ss12000 stage read it back: staging an export in the same scope changes nothing.

csv and xlsx: flattened for people who work in Excel, one row per record and one column per leaf path (civicNo.value, emails.value, emails.type…). id comes first, then the fields in the order the SS 12000 model lists them, a field's sub-fields together; fields outside the model last, alphabetically. A list of values is one cell joined with "; "; a list of objects gives a column per leaf, each cell holding one entry per item in the same item order (an item without the field leaves its entry empty), so the n-th email's value and type line up; lists inside list items are joined with ", ". Lists come in the order the staging database keeps them (sorted). Personnummer (civicNo.value) are masked unless --reveal; names are not.

CSV is UTF-8 with a byte-order mark, ";" between cells and CRLF line ends, as Excel in Sweden opens it; a cell starting with = + - @, a tab or CR gets a ' in front so Excel never runs it as a formula (plain negative numbers stay). XLSX has one worksheet per entity type, named by its collection, with a bold, frozen header row and a filter; text is stored as text, never as a formula, so it keeps its exact value; numbers and booleans keep their type; a cell longer than Excel's 32,767 characters is cut, with a note.

--entity without --out writes the records to stdout and a one-line summary to stderr; --out names the file (or an existing folder to write <collection>.<format> into). --all --out folder removes the entity files of an earlier export that this one no longer holds, so the folder holds exactly the exported state. With --json the summary goes to stdout, so the records need --out.

Exit codes: 0 exported, 2 usage error (no database, unknown scope, batch or entity type, --out missing).`
  static override examples = [
    {
      description: 'Everything staged, as a folder that validate and stage read back',
      command: '<%= config.bin %> <%= command.id %> --all --out export/',
    },
    {
      description: 'The persons as CSV for Excel, personnummer masked',
      command: '<%= config.bin %> <%= command.id %> --entity Person --format csv --out persons.csv',
    },
    {
      description: 'One workbook with a worksheet per entity type, as it was right after batch 3',
      command: '<%= config.bin %> <%= command.id %> --all --format xlsx --batch 3 --out ss12000.xlsx',
    },
    {
      description: 'The groups as NDJSON on stdout, into another tool',
      command: '<%= config.bin %> <%= command.id %> --entity groups --format ndjson | jq .displayName',
    },
  ]
  static override flags = {
    entity: {
      ...entityFlag,
      summary: 'The entity type to export: an entity or collection name (Person, persons, …).',
      exactlyOne: ['entity', 'all'],
    },
    all: Flags.boolean({
      summary: 'Export every entity type the state holds (needs --out).',
      exactlyOne: ['entity', 'all'],
    }),
    format: Flags.option({
      char: 'f',
      options: EXPORT_FORMATS,
      default: 'json' as ExportFormat,
      summary: 'json or ndjson as staged; csv or xlsx flattened for Excel.',
    })(),
    out: Flags.string({
      char: 'o',
      helpValue: '<path>',
      summary: 'The file to write (--entity; default stdout), or the folder (--all; the workbook for xlsx).',
    }),
    batch: Flags.integer({
      min: 1,
      summary: 'Export the state right after this batch instead of the current one (ss12000 status lists batches).',
    }),
    scope: Flags.string({summary: 'The scope to export; needed when the database holds several.'}),
    reveal: revealFlag,
    db: dbFlag,
  }

  async run(): Promise<ExportResult> {
    const {flags} = await this.parse(Export)
    const json = this.jsonEnabled()
    const result = await runWithProgress(
      'Exporting',
      (report) =>
        exportStaged({
          dbPath: databasePath(flags.db),
          ...(flags.scope === undefined ? {} : {scope: flags.scope}),
          ...(flags.batch === undefined ? {} : {batch: flags.batch}),
          ...(flags.entity === undefined ? {} : {entity: flags.entity}),
          format: flags.format,
          ...(flags.out === undefined ? {} : {out: flags.out}),
          reveal: flags.reveal,
          ...(json ? {} : {stdout: process.stdout}),
          onProgress: ({entity, records}) => report(`${records.toLocaleString('en-US')} ${entity} records`),
        }),
      // Records on stdout want no progress drawn beside them.
      {json: json || flags.out === undefined},
    )
    if (json) return result
    if (result.out === undefined) this.note(renderExportResult(result))
    else this.log(renderExportResult(result))
    return result
  }
}
