import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {renderTemplateInit} from '../../report/templates-text.js'
import {initTemplate, type TemplateInitResult} from '../../services/templates.js'

export default class TemplatesInit extends BaseCommand<typeof TemplatesInit> {
  static override summary = 'Copy a shipped mapping template into a folder of your own, to adapt it to your export.'
  static override description = `Copies the template's folder (template.yaml and any crosswalk files beside it; not its example data) to --out, by default ./NAME/. Files already there are kept unless --force. The copy is loaded and checked before the command returns.

Then adapt the header aliases and crosswalks to your export (\`inspect FILE\` lists its headers), check the copy with \`templates show DIR\`, and convert with --template DIR.`
  static override examples = [
    {
      description: 'Copy the Swedish generic template to ./se-generic/',
      command: '<%= config.bin %> <%= command.id %> se-generic',
    },
    {
      description: 'Into a folder of your choice',
      command: '<%= config.bin %> <%= command.id %> se-generic --out mappings/kommun',
    },
    {
      description: 'Start over from the shipped version',
      command: '<%= config.bin %> <%= command.id %> se-generic --out mappings/kommun --force',
    },
  ]
  static override args = {
    name: Args.string({required: true, description: 'A shipped template (see `ss12000 templates list`).'}),
  }
  static override flags = {
    out: Flags.string({char: 'o', helpValue: '<dir>', summary: 'The folder to copy into (default: ./NAME).'}),
    force: Flags.boolean({default: false, summary: 'Replace files the copy writes that are already there.'}),
  }

  async run(): Promise<TemplateInitResult> {
    const {args, flags} = await this.parse(TemplatesInit)
    const result = await initTemplate(args.name, flags.out, {force: flags.force})
    if (!this.jsonEnabled()) this.log(renderTemplateInit(result))
    return result
  }
}
