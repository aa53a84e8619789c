import {relative} from 'node:path'

import type {TemplateFit, TemplateInitResult, TemplateListResult, TemplateShowResult} from '../services/templates.js'
import {plural, table} from './issue-groups-text.js'

/** Width that descriptions are wrapped to. */
const WIDTH = 100

/** `templates list` as text: one line per template, then each template's description and inputs. */
export function renderTemplateList(result: TemplateListResult): string {
  const lines: string[] = []
  if (result.templates.length === 0) {
    lines.push(`No shipped templates in ${result.dir}.`)
  } else {
    lines.push(`${plural(result.templates.length, 'shipped template')}:`, '')
    const rows = [['name', 'version', 'title']]
    for (const template of result.templates) rows.push([template.name, template.version, template.title])
    lines.push(...indent(table(rows, new Set([0, 1, 2]))), '')
    for (const template of result.templates) {
      lines.push(`${template.name} ${template.version}`)
      if (template.description) lines.push(...wrap(template.description, WIDTH - 2).map((line) => `  ${line}`))
      const inputs = [['input', 'files', 'required columns', 'optional columns']]
      for (const input of template.inputs) {
        inputs.push([
          `${input.name}${input.optional ? ' (optional)' : ''}`,
          input.files.join(', ') || '(by its headers)',
          String(input.requiredColumns),
          String(input.optionalColumns),
        ])
      }
      lines.push('', ...indent(table(inputs, new Set([0, 1]))), '')
    }
  }
  for (const broken of result.unreadable) {
    lines.push(`✖ ${broken.name} does not load (a bug in ss12000-toolkit): ${broken.message}`, '')
  }
  lines.push(
    'See one with `ss12000 templates show NAME`; copy one to adapt with `ss12000 templates init NAME`.',
    'Which one fits an export: `ss12000 inspect FILE`.',
  )
  return lines.join('\n')
}

/** `templates show` as text: what the template reads and makes, then the template as written. */
export function renderTemplateShow(result: TemplateShowResult): string {
  const lines: string[] = [`${result.name} ${result.version}: ${result.title}`]
  lines.push(`  ${result.path}${result.shipped ? ' (shipped with the toolkit)' : ''}`)
  if (result.description) {
    lines.push('')
    for (const paragraph of result.description.split(/\n\s*\n/)) {
      lines.push(...wrap(paragraph, WIDTH - 2).map((line) => `  ${line}`))
    }
  }
  lines.push('', 'Inputs', '')
  for (const input of result.inputs) {
    const files = input.files.length > 0 ? `files ${input.files.join(', ')}` : 'picked by its headers'
    lines.push(`  ${input.name}${input.optional ? ' (optional)' : ''}: ${files}`)
    if (input.description) lines.push(`    ${input.description}`)
    const rows = [['column', 'headers (the first is preferred)', '']]
    for (const column of input.columns) {
      rows.push([column.key, column.headers.join(', '), column.optional ? 'optional' : ''])
    }
    lines.push(...indent(table(rows, new Set([0, 1, 2])), '    '), '')
  }
  lines.push('Outputs', '')
  const rows = [['output', 'entity', 'from', 'description']]
  for (const output of result.outputs) {
    const from = output.extend
      ? `${output.from ?? ''} (adds to ${output.extend})`
      : (output.from ?? '(configuration and constants)')
    rows.push([output.name, output.entity, from, output.description ?? ''])
  }
  lines.push(...indent(table(rows, new Set([0, 1, 2, 3]))), '')
  lines.push(`${result.path}:`, '', result.text.trimEnd())
  return lines.join('\n')
}

/** `templates init` as text: what was written where, and what to do next. */
export function renderTemplateInit(result: TemplateInitResult, cwd = process.cwd()): string {
  const where = displayPath(result.dir, cwd)
  const lines = [`Copied ${result.template} ${result.version} to ${where}:`]
  for (const file of result.files) {
    lines.push(`  ${file}${result.overwritten.includes(file) ? '  (replaced)' : ''}`)
  }
  lines.push(
    '',
    'Adapt the header aliases (inputs.<input>.columns) and the crosswalks to your export; `ss12000 inspect FILE` lists',
    `its headers. Check the copy with \`ss12000 templates show ${where}\` and use it with --template ${where}.`,
  )
  return lines.join('\n')
}

/** The end of the inspect report: the shipped templates whose inputs fit the file's headers, best first. */
export function renderTemplateFits(fits: readonly TemplateFit[]): string[] {
  if (fits.length === 0) {
    return ['No shipped template fits these headers; write one with `ss12000 templates init se-generic`.']
  }
  const rows = [['template', 'input', 'required', 'optional', 'missing']]
  for (const fit of fits) {
    rows.push([
      fit.template,
      fit.input,
      `${fit.required.found}/${fit.required.total}`,
      `${fit.optional.found}/${fit.optional.total}`,
      fit.missing.map((column) => column.headers[0] ?? column.key).join(', '),
    ])
  }
  const best = fits[0]!
  const next = best.complete
    ? `Convert with --template ${best.template}; adapt a copy with \`ss12000 templates init ${best.template}\`.`
    : `Rename the missing headers in the export, or add them as aliases in a copy: \`ss12000 templates init ${best.template}\`.`
  return ['Templates that fit:', '', ...indent(table(rows, new Set([0, 1, 4]))), '', next]
}

function indent(lines: readonly string[], prefix = '  '): string[] {
  return lines.map((line) => `${prefix}${line}`)
}

/** A relative path (`./se-generic`) when the folder is under the working directory, else the absolute one. */
function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path)
  return rel === '' ? '.' : rel.startsWith('..') || rel.startsWith('/') ? path : `./${rel}`
}

/** Words wrapped to lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line ? `${line} ${word}` : word
    }
  }
  if (line) lines.push(line)
  return lines
}
