import {Args} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {readerFlags, readerOptionsFrom, revealFlag} from '../cli/flags.js'
import {renderInspectResult} from '../report/inspect-text.js'
import {runWithProgress} from '../report/progress.js'
import {inspect, type InspectResult} from '../services/inspect.js'

export default class Inspect extends BaseCommand<typeof Inspect> {
  static override summary = 'Profile a CSV or Excel export: encoding, delimiter, header, and what each column holds.'
  static override description = `Reads the whole file in one streaming pass and reports how it was read (detected encoding, delimiter, sheet and header row) and, for every column, its fill rate, distinct values, examples and the kind of data it holds: personnummer (and which forms), dates (and their format), emails, phone numbers, skolenhetskod, numbers, percentages, yes/no values, class codes or free text. It ends with the shipped mapping templates that fit the headers: for the best three, the input that fits, how many of its required columns the file has and which it lacks. Use it to pick or write a mapping template.

Personal data in the examples is masked unless --reveal.`
  static override examples = [
    {description: 'Profile a student export', command: '<%= config.bin %> <%= command.id %> elever.csv'},
    {description: 'A workbook, second sheet', command: '<%= config.bin %> <%= command.id %> export.xlsx --sheet 2'},
    {
      description: 'A file whose header is on line 4, read as Windows-1252',
      command: '<%= config.bin %> <%= command.id %> personal.txt --header-row 4 --encoding windows-1252',
    },
    {description: 'The whole profile as JSON', command: '<%= config.bin %> <%= command.id %> elever.csv --json'},
  ]
  static override args = {
    file: Args.string({required: true, description: 'A CSV (or .txt) file or an Excel workbook (.xlsx, .xlsm).'}),
  }
  static override flags = {...readerFlags, reveal: revealFlag}

  async run(): Promise<InspectResult> {
    const {args, flags} = await this.parse(Inspect)
    const json = this.jsonEnabled()
    const result = await runWithProgress(
      `Inspecting ${args.file}`,
      (report) =>
        inspect({
          file: args.file,
          reader: readerOptionsFrom(flags),
          reveal: flags.reveal,
          onProgress: ({records}) => report(`${records.toLocaleString('en-US')} records`),
        }),
      {json},
    )
    if (!json) this.log(renderInspectResult(result))
    return result
  }
}
