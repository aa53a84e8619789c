import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {configFlag, profileFlag, revealFlag} from '../cli/flags.js'
import {configPath} from '../config/config.js'
import {ExitCode} from '../errors.js'
import {renderConvertResult} from '../report/convert-text.js'
import {renderConvertHtml, writeHtmlReport} from '../report/html/index.js'
import {runWithProgress} from '../report/progress.js'
import {renderStageResult} from '../report/stage-text.js'
import {convert, type ConvertResult} from '../services/convert.js'
import {stage, type StageResult} from '../services/stage.js'
import {databasePath, DB_ENV, defaultRejectsPath} from '../staging/location.js'
import {localTimestamp} from '../util.js'

export default class Convert extends BaseCommand<typeof Convert> {
  static override summary = 'Convert legacy CSV/Excel exports into validated SS 12000 JSON with a mapping template.'
  static override description = `Reads the export files (or every CSV and Excel file in the folders given), matches each to an input of the template by its name or headers, maps every row, and validates all the entities it made together: schema, Swedish identity rules, uniqueness and references.

Writes into --out: <collection>.json per entity type (deterministic: the same input, template and configuration give the same bytes), rejects.csv (each rejected row's original cells with file, line and reasons) and report.json (the reconciliation: rows read = accepted + rejected + skipped by a filter, per file).

Strict by default: any error means no entity files are written (rejects.csv and report.json are). --allow-partial writes the valid entities, marks the output partial and exits 5. Personnummer are masked in everything printed and in rejects.csv and report.json unless --reveal; the entity files hold them as the standard requires.

--annotate writes a copy of each input file as .xlsx into <out>/annotated/ (also for CSV input): the problem cells filled in the error or warning colour with a note in plain words, an Issues sheet first (grouped by root cause, each row linking to its cell) and a Summary sheet with the reconciliation. Every cell stays at its address in the original, which is never modified. Personnummer are masked in the copy unless --reveal.

--html FILE writes a self-contained HTML report as well (no network, readable without JavaScript): the counts, the reconciliation per file, the entities per type, the defaults, the issues by root cause and, with --stage, what staging did.

With --stage, the output is then staged in the staging database as by \`ss12000 stage <out>\` (scope: the template's name), and the exit code is the worse of the two.

Exit codes: 0 converted, 2 usage error (template, configuration, files), 3 invalid data (nothing written), 5 partial output written.`
  static override examples = [
    {
      description: 'Convert the bundled example export with the Swedish generic template',
      command:
        '<%= config.bin %> <%= command.id %> examples/legacy --template se-generic --config examples/ss12000.config.yaml --out out',
    },
    {
      description: 'Convert, then stage the result as a labelled batch',
      command: '<%= config.bin %> <%= command.id %> export/ --template se-generic --out out --stage --label "HT 2026"',
    },
    {
      description: 'A School Data Sync export, writing what is valid even if some rows fail',
      command: '<%= config.bin %> <%= command.id %> sds-export/ --template sds-v1 --allow-partial',
    },
    {
      description: 'Show each problem where it is: annotated copies of the inputs in out/annotated/',
      command: '<%= config.bin %> <%= command.id %> export/ --template se-generic --out out --annotate',
    },
    {
      description: 'Your own template, NDJSON output',
      command: '<%= config.bin %> <%= command.id %> elever.xlsx personal.csv --template ./my-template --format ndjson',
    },
  ]
  static override strict = false
  static override args = {
    path: Args.string({required: true, description: 'Export files, or folders of them (.csv, .txt, .skv, .xlsx).'}),
  }
  static override flags = {
    template: Flags.string({
      char: 't',
      required: true,
      env: 'SS12000_TEMPLATE',
      helpValue: '<name|path>',
      summary: 'A shipped template (see `ss12000 templates list`), a template folder, or a template YAML file.',
    }),
    config: configFlag,
    out: Flags.string({
      char: 'o',
      default: 'ss12000-out',
      helpValue: '<dir>',
      summary: 'The folder to write entity files, rejects.csv and report.json into.',
    }),
    format: Flags.option({
      options: ['json', 'ndjson'] as const,
      default: 'json' as const,
      summary: 'Entity files as JSON arrays or NDJSON (one entity per line).',
    })(),
    'allow-partial': Flags.boolean({
      default: false,
      summary: 'Write the valid entities even when some rows or entities are rejected (exit code 5).',
    }),
    'reference-date': Flags.string({
      helpValue: '<YYYY-MM-DD>',
      summary:
        'The date the export describes (century of YYMMDD personnummer, gymnasium years); default config term.start.',
    }),
    stage: Flags.boolean({
      default: false,
      summary: 'Then stage the output in the staging database, as `ss12000 stage <out>` would.',
    }),
    db: Flags.string({
      helpValue: '<path>',
      summary: `With --stage: the staging database (default ./ss12000.db, or ${DB_ENV}).`,
    }),
    label: Flags.string({helpValue: '<text>', summary: 'With --stage: a label for the batch, e.g. "HT 2026".'}),
    profile: profileFlag,
    reveal: revealFlag,
    html: Flags.string({helpValue: '<file>', summary: 'Write a self-contained HTML report as well.'}),
    annotate: Flags.boolean({
      default: false,
      summary: 'Write each input as an .xlsx copy with its problems highlighted and noted, into <out>/annotated/.',
    }),
  }

  async run(): Promise<ConvertResult & {stage?: StageResult}> {
    const {argv, flags} = await this.parse(Convert)
    const json = this.jsonEnabled()
    const result = await runWithProgress(
      'Converting',
      (report) =>
        convert({
          paths: argv as string[],
          template: flags.template,
          configPath: configPath(flags.config),
          outDir: flags.out,
          format: flags.format,
          allowPartial: flags['allow-partial'],
          profile: flags.profile,
          reveal: flags.reveal,
          ...(flags['reference-date'] === undefined ? {} : {referenceDate: flags['reference-date']}),
          keepAllIssues: json,
          annotate: flags.annotate,
          onProgress: ({file, rows}) => report(`${rows.toLocaleString('en-US')} rows · ${file}`),
        }),
      {json},
    )
    if (!json) this.log(renderConvertResult(result))
    if (!result.valid) this.setExitCode(result.partial ? ExitCode.Partial : ExitCode.InvalidData)
    const html = async (value: ConvertResult & {stage?: StageResult}) => {
      if (flags.html !== undefined) await writeHtmlReport(flags.html, renderConvertHtml(value, {reveal: flags.reveal}))
      return value
    }
    if (!flags.stage) return html(result)
    if (!result.written) {
      if (!json) this.log('Not staged: convert wrote no entity files.')
      return html(result)
    }
    const db = databasePath(flags.db)
    const staged = await runWithProgress(
      'Staging',
      (report) =>
        stage({
          paths: [flags.out],
          dbPath: db,
          ...(flags.label === undefined ? {} : {label: flags.label}),
          rejectsPath: defaultRejectsPath(db),
          profile: flags.profile,
          mode: 'payload',
          reveal: flags.reveal,
          allowPartial: flags['allow-partial'],
          keepAllIssues: json,
          now: () => localTimestamp(),
          onProgress: ({phase, records, file}) =>
            report(`${phase} ${records.toLocaleString('en-US')} records · ${file}`),
        }),
      {json},
    )
    if (!json) this.log(`\n${renderStageResult(staged)}`)
    if (!staged.batch) this.setExitCode(ExitCode.InvalidData)
    else if (staged.totals.refused > 0 && result.valid) this.setExitCode(ExitCode.Partial)
    return html({...result, stage: staged})
  }
}
