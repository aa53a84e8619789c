import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {allowExternalRefsFlag, entityFlag, modeFlag, profileFlag, revealFlag} from '../cli/flags.js'
import {ExitCode} from '../errors.js'
import {renderValidateHtml, writeHtmlReport} from '../report/html/index.js'
import {runWithProgress} from '../report/progress.js'
import {renderValidateResult} from '../report/validate-text.js'
import {validate, type ValidateResult} from '../services/validate.js'

export default class Validate extends BaseCommand<typeof Validate> {
  static override summary = 'Validate SS 12000 JSON: schema, Swedish identity rules, uniqueness and references.'
  static override description = `Accepts one entity, an array, an API page {"data": [...]}, an ingest body {"persons": [...]}, NDJSON (one entity per line), or directories of such files. The entity type comes from the body key, the file name (persons.json, groups.ndjson) or --entity.

Checks, in layers: JSON syntax; the SS 12000 schema of the chosen profile; Swedish identity rules (personnummer, samordningsnummer, organisationsnummer, skolenhetskod); uniqueness of ids, civicNo and eduPersonPrincipalName across the input; and that every reference resolves to an entity of the right type. Personnummer are masked in all output unless --reveal.

--html FILE writes a self-contained HTML report as well (no network, readable without JavaScript): the counts, the reconciliation, the issues by root cause and the records per entity type and file, with search and filters.

Exit codes: 0 valid, 2 usage error, 3 invalid data.`
  static override examples = [
    {
      description: 'Validate the bundled example dataset',
      command: '<%= config.bin %> <%= command.id %> examples/ss12000',
    },
    {
      description: "Check a file against Skolverket's profile",
      command: '<%= config.bin %> <%= command.id %> persons.json --profile skolverket',
    },
    {
      description: 'An API page whose file name does not say what it holds',
      command: '<%= config.bin %> <%= command.id %> page-1.json --entity Person --mode response',
    },
    {description: 'Every issue as JSON, for scripts', command: '<%= config.bin %> <%= command.id %> out/ --json'},
    {
      description: 'A report to open in a browser: counts, issues by cause, records per type',
      command: '<%= config.bin %> <%= command.id %> out/ --html validate.html',
    },
  ]
  static override strict = false
  static override args = {
    path: Args.string({required: true, description: 'Files or directories of SS 12000 JSON (.json, .ndjson, .jsonl).'}),
  }
  static override flags = {
    profile: profileFlag,
    mode: modeFlag,
    entity: entityFlag,
    reveal: revealFlag,
    'allow-external-refs': allowExternalRefsFlag,
    html: Flags.string({helpValue: '<file>', summary: 'Write a self-contained HTML report as well.'}),
  }

  async run(): Promise<ValidateResult> {
    const {argv, flags} = await this.parse(Validate)
    const json = this.jsonEnabled()
    const result = await runWithProgress(
      'Validating',
      (report) =>
        validate({
          paths: argv as string[],
          profile: flags.profile,
          mode: flags.mode,
          entity: flags.entity,
          reveal: flags.reveal,
          allowExternalRefs: flags['allow-external-refs'],
          keepAllIssues: json,
          onProgress: ({file, records}) => report(`${records.toLocaleString('en-US')} records · ${file}`),
        }),
      {json},
    )
    if (flags.html !== undefined) await writeHtmlReport(flags.html, renderValidateHtml(result, {reveal: flags.reveal}))
    if (!json) this.log(renderValidateResult(result))
    if (!result.valid) this.setExitCode(ExitCode.InvalidData)
    return result
  }
}
