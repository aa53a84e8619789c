import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {dbFlag, entityFlag, modeFlag, profileFlag, revealFlag} from '../cli/flags.js'
import {ExitCode} from '../errors.js'
import {renderStageHtml, writeHtmlReport} from '../report/html/index.js'
import {runWithProgress} from '../report/progress.js'
import {renderStageResult} from '../report/stage-text.js'
import {stage, type StageResult} from '../services/stage.js'
import {databasePath, defaultRejectsPath} from '../staging/location.js'
import {localTimestamp} from '../util.js'

export default class Stage extends BaseCommand<typeof Stage> {
  static override summary = 'Stage SS 12000 JSON in the SQLite staging database as one batch.'
  static override description = `Validates the records (any shape validate reads; usually convert's output folder) with the same engine as validate, then writes the valid ones as one batch in one transaction: a crash at any moment leaves the database as it was. Reports per entity type what the batch added, changed, kept unchanged and no longer has, against what its scope held before (the term rollover view), and the fields that changed. A partial batch (--allow-partial, or convert output that was partial) never counts absence as removal.

The scope says what a batch replaces: by default the template convert used (read from the folder's report.json), else "default". When convert's output is staged, its input columns and crosswalked codes are compared with the last batch staged with the same template, and schema drift is reported.

Invalid records are refused into the rejects file (CSV, with reasons; personnummer masked unless --reveal), and so are records that refer to a refused one outside a list; list items that refer to one are left out, with a warning.

--html FILE writes a self-contained HTML report as well (no network, readable without JavaScript): the counts, the reconciliation, per entity type what the batch added, changed and no longer has, schema drift and the issues by root cause.

Exit codes: 0 staged, 2 usage error, 3 invalid data (nothing staged), 5 staged without the refused records (--allow-partial).`
  static override examples = [
    {description: "Stage convert's output", command: '<%= config.bin %> <%= command.id %> ss12000-out'},
    {
      description: 'Stage into another database, labelled',
      command: '<%= config.bin %> <%= command.id %> ss12000-out --db term.db --label "HT 2026"',
    },
    {
      description: 'Stage the valid records of invalid input, refusing the rest',
      command: '<%= config.bin %> <%= command.id %> export-folder --scope hr --allow-partial',
    },
  ]
  static override strict = false
  static override args = {
    path: Args.string({required: true, description: 'Files or folders of SS 12000 JSON.'}),
  }
  static override flags = {
    db: dbFlag,
    scope: Flags.string({
      helpValue: '<name>',
      summary: "What the batch replaces; default the template convert used, else 'default'.",
    }),
    label: Flags.string({helpValue: '<text>', summary: 'A label for the batch, e.g. "HT 2026".'}),
    entity: entityFlag,
    rejects: Flags.string({
      helpValue: '<path>',
      summary: 'Where refused records go (default <db name>-rejects.csv beside the database).',
    }),
    'allow-partial': Flags.boolean({
      default: false,
      summary: 'Stage the valid records even when some are invalid (exit code 5).',
    }),
    profile: profileFlag,
    mode: modeFlag,
    reveal: revealFlag,
    html: Flags.string({helpValue: '<file>', summary: 'Write a self-contained HTML report as well.'}),
  }

  async run(): Promise<StageResult> {
    const {argv, flags} = await this.parse(Stage)
    const db = databasePath(flags.db)
    const json = this.jsonEnabled()
    const entity = flags.entity
    const result = await runWithProgress(
      'Staging',
      (report) =>
        stage({
          paths: argv as string[],
          dbPath: db,
          ...(flags.scope === undefined ? {} : {scope: flags.scope}),
          ...(flags.label === undefined ? {} : {label: flags.label}),
          ...(entity === undefined ? {} : {entity}),
          rejectsPath: flags.rejects ?? defaultRejectsPath(db),
          profile: flags.profile,
          mode: flags.mode,
          reveal: flags.reveal,
          allowPartial: flags['allow-partial'],
          keepAllIssues: json,
          now: () => localTimestamp(),
          onProgress: ({phase, file, records}) =>
            report(`${phase} ${records.toLocaleString('en-US')} records · ${file}`),
        }),
      {json},
    )
    if (flags.html !== undefined) await writeHtmlReport(flags.html, renderStageHtml(result, {reveal: flags.reveal}))
    if (!json) this.log(renderStageResult(result))
    if (!result.batch) this.setExitCode(ExitCode.InvalidData)
    else if (result.totals.refused > 0) this.setExitCode(ExitCode.Partial)
    return result
  }
}
