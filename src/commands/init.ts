import {randomBytes, randomUUID} from 'node:crypto'

import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {configFlag} from '../cli/flags.js'
import {configPath, SECRET_ENV} from '../config/config.js'
import {SCHOOL_TYPES_2020} from '../schema/code-lists.js'
import {initConfig, type InitResult} from '../services/init.js'

export default class Init extends BaseCommand<typeof Init> {
  static override summary = 'Create ss12000.config.yaml: the organiser, term dates, default school types and id keys.'
  static override description = `Writes a commented configuration file (readable by its owner only) with a fresh id namespace and id secret. Ids are derived from them, so keep the file: a new namespace or secret changes every id. Term dates default to the school year around today (mid-August to mid-June): check them. The secret is never printed; ${SECRET_ENV} can supply it instead of the file.`
  static override examples = [
    {
      description: 'A municipality, with its term dates',
      command:
        '<%= config.bin %> <%= command.id %> --organisation-name "Exempelby kommun" --organisation-number 212000-0142 --term-start 2026-08-17 --term-end 2027-06-11',
    },
    {
      description: 'An independent school with preschool class and compulsory school',
      command:
        '<%= config.bin %> <%= command.id %> --organisation-name "Exempelskolan AB" --school-type FKLASS --school-type GR',
    },
  ]
  static override flags = {
    config: configFlag,
    force: Flags.boolean({default: false, summary: 'Overwrite an existing file (new ids!).'}),
    'organisation-name': Flags.string({required: true, summary: 'The huvudman (school organiser).'}),
    'organisation-number': Flags.string({summary: "The organiser's organisationsnummer (NNNNNN-NNNN)."}),
    'term-start': Flags.string({summary: 'First day of the term (YYYY-MM-DD).'}),
    'term-end': Flags.string({summary: 'Last day of the term (YYYY-MM-DD).'}),
    'school-type': Flags.option({
      options: SCHOOL_TYPES_2020,
      multiple: true,
      summary: 'Default school type(s) when an export does not say.',
    })(),
  }

  async run(): Promise<InitResult> {
    const {flags} = await this.parse(Init)
    const result = await initConfig({
      path: configPath(flags.config),
      force: flags.force,
      organisationName: flags['organisation-name'],
      organisationNumber: flags['organisation-number'],
      termStart: flags['term-start'],
      termEnd: flags['term-end'],
      schoolTypes: flags['school-type'] ?? ['GR'],
      today: new Date().toISOString().slice(0, 10),
      random: {uuid: randomUUID, bytes: randomBytes},
    })
    this.log(`${result.overwritten ? 'Replaced' : 'Created'} ${result.path} for ${result.organisation.name}.`)
    this.log(`  term ${result.term.start} – ${result.term.end}; default school types ${result.schoolTypes.join(', ')}`)
    this.log('  Check the term dates. Keep the file: its id namespace and secret make your ids.')
    return result
  }
}
