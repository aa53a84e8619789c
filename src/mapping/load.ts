import {existsSync, readdirSync, statSync} from 'node:fs'
import {readFile, stat} from 'node:fs/promises'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {parseLocatedYaml, pickSchemaError, type YamlPath} from '../config/located-yaml.js'
import {UsageError} from '../errors.js'
import {compileSchemaLazily} from '../schema/validators.js'
import {openSource} from '../sources/index.js'
import {isRecord} from '../util.js'
import {compileTemplate} from './compile.js'
import {
  type CompiledTemplate,
  FORMAT_KEY,
  TEMPLATE_FILE_NAME,
  TEMPLATE_FORMAT,
  type TemplateDocument,
  TemplateDocumentSchema,
} from './template.js'

const validateDocument = compileSchemaLazily(TemplateDocumentSchema)
/** How many template problems one error message lists. */
const MAX_LISTED = 20

/** The folder of the templates shipped with the toolkit (`templates/` at the package root). */
export function shippedTemplatesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) return join(dir, 'templates')
    const parent = dirname(dir)
    if (parent === dir) throw new Error('cannot find the templates folder of the package')
    dir = parent
  }
}

/** The names of the shipped templates: the folders under templates/ that hold a template.yaml. */
export function shippedTemplateNames(): string[] {
  const dir = shippedTemplatesDir()
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, TEMPLATE_FILE_NAME)) && statSync(join(dir, name)).isDirectory())
    .sort()
}

/**
 * The template file a `--template` value names: a shipped template's name, a template folder (holding
 * template.yaml), or a YAML file.
 */
export async function resolveTemplatePath(nameOrPath: string, cwd = process.cwd()): Promise<string> {
  const candidate = resolve(cwd, nameOrPath)
  const stats = await stat(candidate).catch(() => undefined)
  if (stats?.isDirectory()) {
    const file = join(candidate, TEMPLATE_FILE_NAME)
    if (existsSync(file)) return file
    throw new UsageError(`${nameOrPath} is a folder without a ${TEMPLATE_FILE_NAME}.`)
  }
  if (stats?.isFile()) return candidate
  const shipped = shippedTemplateNames()
  if (shipped.includes(nameOrPath)) return join(shippedTemplatesDir(), nameOrPath, TEMPLATE_FILE_NAME)
  throw new UsageError(`No template "${nameOrPath}": not a shipped template, a folder or a file.`, {
    actions: [`Shipped templates: ${shipped.join(', ')}. See them with \`ss12000 templates list\`.`],
  })
}

/** Loads, checks and compiles a template by name or path. Every problem is a UsageError naming file:line:col. */
export async function loadTemplate(nameOrPath: string, cwd = process.cwd()): Promise<CompiledTemplate> {
  const path = await resolveTemplatePath(nameOrPath, cwd)
  const text = await readFile(path, 'utf8')
  return parseTemplate(text, path)
}

/** Checks and compiles template text; `path` names it in messages and anchors crosswalk files beside it. */
export async function parseTemplate(text: string, path: string): Promise<CompiledTemplate> {
  const located = parseLocatedYaml(text, path)
  const value = located.value
  const fail = (problems: Array<{path: YamlPath; message: string}>) => {
    const lines = problems.slice(0, MAX_LISTED).map((problem) => `${located.where(problem.path)}: ${problem.message}`)
    if (problems.length > MAX_LISTED) lines.push(`… and ${problems.length - MAX_LISTED} more`)
    const summary =
      problems.length === 1 ? 'The template has a problem' : `The template has ${problems.length} problems`
    return new UsageError(`${summary}:\n  ${lines.join('\n  ')}`, {
      actions: ['Fix the template; the mapping-file reference in README.md describes every setting.'],
    })
  }
  if (!isRecord(value) || !(FORMAT_KEY in value)) {
    throw fail([{path: [], message: `not a mapping template: it must start with "${FORMAT_KEY}: ${TEMPLATE_FORMAT}".`}])
  }
  if (value[FORMAT_KEY] !== TEMPLATE_FORMAT) {
    throw fail([
      {
        path: [FORMAT_KEY],
        message: `template format ${JSON.stringify(value[FORMAT_KEY])} is not one this toolkit reads (it reads ${TEMPLATE_FORMAT}).`,
      },
    ])
  }
  const validate = validateDocument()
  if (!validate(value)) {
    const error = pickSchemaError(validate.errors!)
    throw fail([{path: error.path, message: `${error.path.join('.') || '(top level)'}: ${error.detail}.`}])
  }
  const document = value as TemplateDocument
  const side = new Map<string, Map<string, string>>()
  for (const [name, crosswalk] of Object.entries(document.crosswalks ?? {})) {
    if (crosswalk.file === undefined) continue
    const file = resolve(dirname(path), crosswalk.file)
    try {
      side.set(name, await readCrosswalkFile(file))
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      throw fail([{path: ['crosswalks', name, 'file'], message: `cannot read the crosswalk file ${file}: ${reason}`}])
    }
  }
  const {template, errors} = compileTemplate(located, path, side)
  if (errors.length > 0) throw fail(errors)
  return template
}

/** A crosswalk CSV: a header row, then the legacy code in the first column and the SS 12000 value in the second. */
async function readCrosswalkFile(file: string): Promise<Map<string, string>> {
  const source = await openSource(file, {headerRow: 1})
  const [from, to] = source.info.headers
  if (from === undefined || to === undefined) throw new Error('it needs two columns: the legacy code and the value')
  const map = new Map<string, string>()
  for await (const row of source.rows) {
    const key = row.cells[from]
    const value = row.cells[to]
    if (key === undefined) continue
    if (value === undefined) throw new Error(`line ${row.line} maps "${key}" to nothing`)
    if (map.has(key) && map.get(key) !== value) throw new Error(`line ${row.line} maps "${key}" a second time`)
    map.set(key, value)
  }
  return map
}
