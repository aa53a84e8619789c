import {Args} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {renderTemplateShow} from '../../report/templates-text.js'
import {showTemplate, type TemplateShowResult} from '../../services/templates.js'

export default class TemplatesShow extends BaseCommand<typeof TemplatesShow> {
  static override summary =
    'Show a mapping template: the files and columns it reads, the entities it makes, and its YAML.'
  static override description = `Loads and checks the template (a shipped template's name, a template folder, or a template YAML file), then prints what it reads (each input's file-name patterns and columns with every header alias they are known by), what it makes (each output's entity and the input it reads) and the template as written.

A template that does not load gets its problems listed with file:line:col, and exit code 2.`
  static override examples = [
    {description: 'A shipped template', command: '<%= config.bin %> <%= command.id %> se-generic'},
    {description: 'Check your own copy', command: '<%= config.bin %> <%= command.id %> ./my-template'},
    {
      description: 'The compiled summary and the text as JSON',
      command: '<%= config.bin %> <%= command.id %> se-generic --json',
    },
  ]
  static override args = {
    template: Args.string({
      required: true,
      description: "A shipped template's name, a folder holding template.yaml, or a template YAML file.",
    }),
  }

  async run(): Promise<TemplateShowResult> {
    const {args} = await this.parse(TemplatesShow)
    const result = await showTemplate(args.template)
    if (!this.jsonEnabled()) this.log(renderTemplateShow(result))
    return result
  }
}
