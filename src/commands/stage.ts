import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {modeFlag, profileFlag, revealFlag} from '../cli/flags.js'
import {ExitCode} from '../errors.js'
import {renderStageResult} from '../report/stage-text.js'
import {stage, type StageResult} from '../services/stage.js'
import {databasePath, DB_ENV} from '../staging/database.js'

export default class Stage extends BaseCommand<typeof Stage> {
  static override summary = 'Stage SS 12000 JSON in the SQLite staging database as one batch (work in progress).'
  static override description = `Validates the records (any shape validate reads; usually convert's output folder) and writes the valid ones as one batch, in one transaction, then reports per entity what was added, changed, unchanged or absent against what was staged before in the same scope.

Exit codes: 0 staged, 2 usage error, 3 invalid data (nothing staged), 5 staged without the refused records (--allow-partial).`
  static override examples = [
    {description: "Stage convert's output", command: '<%= config.bin %> <%= command.id %> ss12000-out'},
  ]
  static override strict = false
  static override args = {
    path: Args.string({required: true, description: 'Files or folders of SS 12000 JSON.'}),
  }
  static override flags = {
    db: Flags.string({
      helpValue: '<path>',
      summary: `The staging database (default ./ss12000.db, or ${DB_ENV}).`,
    }),
    scope: Flags.string({summary: "What the batch replaces; default the template convert used, else 'default'."}),
    label: Flags.string({summary: 'A label for the batch, e.g. "HT 2026".'}),
    'allow-partial': Flags.boolean({default: false, summary: 'Stage the valid records even when some are invalid.'}),
    profile: profileFlag,
    mode: modeFlag,
    reveal: revealFlag,
  }

  async run(): Promise<StageResult> {
    const {argv, flags} = await this.parse(Stage)
    const db = databasePath(flags.db)
    const result = await stage({
      paths: argv as string[],
      dbPath: db,
      ...(flags.scope === undefined ? {} : {scope: flags.scope}),
      ...(flags.label === undefined ? {} : {label: flags.label}),
      profile: flags.profile,
      mode: flags.mode,
      reveal: flags.reveal,
      allowPartial: flags['allow-partial'],
      keepAllIssues: this.jsonEnabled(),
      now: () => new Date().toISOString().replace('Z', '+00:00'),
    })
    if (!this.jsonEnabled()) this.log(renderStageResult(result, db))
    if (!result.batch) this.setExitCode(ExitCode.InvalidData)
    else if (result.refused > 0) this.setExitCode(ExitCode.Partial)
    return result
  }
}
