import {BaseCommand} from '../../cli/base-command.js'
import {renderTemplateList} from '../../report/templates-text.js'
import {listTemplates, type TemplateListResult} from '../../services/templates.js'

export default class TemplatesList extends BaseCommand<typeof TemplatesList> {
  static override summary = 'List the mapping templates shipped with the toolkit.'
  static override description = `Shows each shipped template's name, version and title, the first paragraph of its description, and its inputs: the file-name patterns that pick each input's files, whether the input is optional, and how many required and optional columns it reads.

Pass a template's name to convert --template, see it whole with \`templates show\`, or copy it to adapt with \`templates init\`. \`inspect FILE\` tells which templates fit an export's headers.`
  static override examples = [
    {description: 'The shipped templates', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'As JSON, for scripts', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  async run(): Promise<TemplateListResult> {
    await this.parse(TemplatesList)
    const result = await listTemplates()
    if (!this.jsonEnabled()) this.log(renderTemplateList(result))
    return result
  }
}
