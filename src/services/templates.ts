import {copyFile, mkdir, readdir, readFile, stat} from 'node:fs/promises'
import {constants} from 'node:fs'
import {dirname, join, relative, resolve, sep} from 'node:path'

import {InternalError, UsageError} from '../errors.js'
import {findColumns} from '../mapping/columns.js'
import {
  loadTemplate,
  parseTemplate,
  resolveTemplatePath,
  shippedTemplateNames,
  shippedTemplatesDir,
} from '../mapping/load.js'
import {type CompiledColumn, type CompiledTemplate, TEMPLATE_FILE_NAME} from '../mapping/template.js'

/** Folders of a shipped template that `templates init` leaves behind: sample data and its expected output. */
const NOT_COPIED = new Set(['example', 'expected'])
/** How many fitting templates `inspect` shows. */
export const TOP_FITS = 3
/** The share of an input's required columns a file must have for the input to count as a fit. */
export const MIN_REQUIRED_SHARE = 0.5

// --- list -------------------------------------------------------------------------------------------------------------

/** One input of a template, as `templates list` shows it. */
export interface TemplateInputSummary {
  name: string
  description?: string
  /** File-name patterns that pick the input's files. */
  files: string[]
  /** Whether an export may lack the input's file. */
  optional: boolean
  requiredColumns: number
  optionalColumns: number
}

/** One shipped template, as `templates list` shows it. */
export interface TemplateSummary {
  name: string
  version: string
  title: string
  /** The first paragraph of the template's description, on one line. */
  description?: string
  /** The template file. */
  path: string
  inputs: TemplateInputSummary[]
}

/** What `templates list` returns. */
export interface TemplateListResult {
  /** The folder of the shipped templates. */
  dir: string
  templates: TemplateSummary[]
  /** Shipped folders whose template.yaml does not load (a bug in the toolkit): name and why. */
  unreadable: Array<{name: string; message: string}>
}

/** Loads every shipped template; those that do not load are reported, not thrown, so one broken file hides no other. */
export async function loadShippedTemplates(): Promise<{
  templates: CompiledTemplate[]
  unreadable: TemplateListResult['unreadable']
}> {
  const templates: CompiledTemplate[] = []
  const unreadable: TemplateListResult['unreadable'] = []
  for (const name of shippedTemplateNames()) {
    try {
      templates.push(await loadTemplate(join(shippedTemplatesDir(), name)))
    } catch (error) {
      unreadable.push({name, message: error instanceof Error ? error.message : String(error)})
    }
  }
  return {templates, unreadable}
}

/** Every shipped template: name, version, title, the first paragraph of its description, and its inputs. */
export async function listTemplates(): Promise<TemplateListResult> {
  const {templates, unreadable} = await loadShippedTemplates()
  return {
    dir: shippedTemplatesDir(),
    templates: templates.map((template) => ({
      name: template.name,
      version: template.version,
      title: template.title,
      ...optional('description', firstParagraph(template.description)),
      path: template.path,
      inputs: template.inputs.map((input) => ({
        name: input.name,
        ...optional('description', input.description),
        files: input.files,
        optional: input.optional,
        requiredColumns: input.columns.filter((column) => !column.optional).length,
        optionalColumns: input.columns.filter((column) => column.optional).length,
      })),
    })),
    unreadable,
  }
}

/** The first paragraph of a text (up to the first blank line), its lines joined into one. */
export function firstParagraph(text: string | undefined): string | undefined {
  const paragraph = text
    ?.trim()
    .split(/\n\s*\n/)[0]
    ?.replace(/\s+/g, ' ')
  return paragraph || undefined
}

// --- show -------------------------------------------------------------------------------------------------------------

/** What `templates show` returns: the template as written, and what the toolkit makes of it. */
export interface TemplateShowResult {
  name: string
  version: string
  title: string
  description?: string
  /** The template file. */
  path: string
  /** Whether it is one of the templates shipped with the toolkit. */
  shipped: boolean
  inputs: Array<{
    name: string
    description?: string
    files: string[]
    optional: boolean
    /** Each column's key and header aliases (the first is the preferred header). */
    columns: Array<{key: string; headers: string[]; optional: boolean}>
  }>
  outputs: Array<{name: string; description?: string; entity: string; from?: string; extend?: string}>
  /** The template file's text, as written. */
  text: string
}

/** A template by shipped name, folder or file: its text as written and its compiled summary. */
export async function showTemplate(nameOrPath: string, cwd = process.cwd()): Promise<TemplateShowResult> {
  const path = await resolveTemplatePath(nameOrPath, cwd)
  const text = await readFile(path, 'utf8')
  const template = await parseTemplate(text, path)
  return {
    name: template.name,
    version: template.version,
    title: template.title,
    ...optional('description', template.description?.trim()),
    path,
    shipped: isInside(path, shippedTemplatesDir()),
    inputs: template.inputs.map((input) => ({
      name: input.name,
      ...optional('description', input.description),
      files: input.files,
      optional: input.optional,
      columns: input.columns.map((column) => ({key: column.key, headers: column.headers, optional: column.optional})),
    })),
    outputs: template.outputs.map((output) => ({
      name: output.name,
      ...optional('description', output.description),
      entity: output.entity,
      ...optional('from', output.from),
      ...optional('extend', output.extend),
    })),
    text,
  }
}

// --- init -------------------------------------------------------------------------------------------------------------

export interface TemplateInitOptions {
  /** Overwrite files the copy would replace. */
  force?: boolean
  /** What a relative destination is relative to. */
  cwd?: string
}

/** What `templates init` wrote. */
export interface TemplateInitResult {
  template: string
  version: string
  /** The shipped folder copied. */
  from: string
  /** The folder written (absolute). */
  dir: string
  /** The files written, relative to `dir`, sorted. */
  files: string[]
  /** Those of `files` that replaced a file (only with force). */
  overwritten: string[]
}

/**
 * Copies a shipped template's folder (template.yaml and the crosswalk files beside it; not example/ or expected/) to
 * `dest` (default `./<name>/`) so it can be adapted. Refuses to replace a file unless `force`; the copy is loaded
 * before returning, so what it writes is known to work.
 */
export async function initTemplate(
  name: string,
  dest?: string,
  options: TemplateInitOptions = {},
): Promise<TemplateInitResult> {
  const cwd = options.cwd ?? process.cwd()
  const shipped = shippedTemplateNames()
  if (!shipped.includes(name)) {
    throw new UsageError(`No shipped template "${name}".`, {
      actions: [
        `Shipped templates: ${shipped.join(', ') || '(none)'}. See them with \`ss12000 templates list\`.`,
        'To adapt a template of your own, copy its folder.',
      ],
    })
  }
  const from = join(shippedTemplatesDir(), name)
  const source = await loadTemplate(from).catch((error: unknown) => {
    throw new InternalError(`The shipped template ${name} does not load: ${(error as Error).message}`, {cause: error})
  })
  const dir = resolve(cwd, dest ?? name)
  const destStats = await stat(dir).catch(() => undefined)
  if (destStats && !destStats.isDirectory()) {
    throw new UsageError(`${dest ?? name} is a file, not a folder.`, {actions: ['Name a new folder with --out.']})
  }
  const files = await templateFiles(from)
  const existing: string[] = []
  for (const file of files) if (await exists(join(dir, file))) existing.push(file)
  if (existing.length > 0 && !options.force) {
    throw new UsageError(`${join(dest ?? name, existing[0]!)} already exists.`, {
      actions: [
        'Keep it: it may hold your changes. Copy into another folder with --out DIR.',
        'Pass --force to replace the files the copy writes.',
      ],
    })
  }
  for (const file of files) {
    const target = join(dir, file)
    await mkdir(dirname(target), {recursive: true})
    await copyFile(join(from, file), target, options.force ? 0 : constants.COPYFILE_EXCL).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      throw new UsageError(`${join(dest ?? name, file)} already exists.`, {
        actions: ['Pass --force to replace the files the copy writes.'],
      })
    })
  }
  // The copy must work where it was put: its crosswalk files are found beside it.
  await loadTemplate(dir).catch((error: unknown) => {
    throw new InternalError(`The copy of ${name} in ${dir} does not load: ${(error as Error).message}`, {cause: error})
  })
  return {template: source.name, version: source.version, from, dir, files, overwritten: existing}
}

/** The files of a template folder to copy, relative to it and sorted; example/ and expected/ stay behind. */
async function templateFiles(folder: string): Promise<string[]> {
  const files: string[] = []
  const walk = async (sub: string): Promise<void> => {
    for (const entry of await readdir(join(folder, sub), {withFileTypes: true})) {
      const file = sub === '' ? entry.name : join(sub, entry.name)
      if (entry.isDirectory() && !(sub === '' && NOT_COPIED.has(entry.name))) await walk(file)
      else if (entry.isFile()) files.push(file)
    }
  }
  await walk('')
  return files.sort((a, b) => (a === TEMPLATE_FILE_NAME ? -1 : b === TEMPLATE_FILE_NAME ? 1 : a.localeCompare(b)))
}

function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

// --- rank -------------------------------------------------------------------------------------------------------------

/** What ranking needs of a template: its name and title, and its inputs' columns. */
export interface RankableTemplate {
  name: string
  title: string
  inputs: Array<{name: string; columns: CompiledColumn[]}>
}

/** How well one input of a template fits a file's headers. */
export interface TemplateFit {
  template: string
  title: string
  input: string
  required: {found: number; total: number}
  optional: {found: number; total: number}
  /** Every required column is in the file (and at least one column is). */
  complete: boolean
  /** Columns found: the template's column key and the file's header. */
  matched: Array<{key: string; header: string; optional: boolean}>
  /** Required columns the file lacks, with the headers they are known by. */
  missing: Array<{key: string; headers: string[]}>
  /** Optional columns the file lacks. */
  missingOptional: Array<{key: string; headers: string[]}>
}

/**
 * Scores every template's inputs against a file's headers (compared like convert does: by alias, ignoring case,
 * spaces, `_`, `.` and `-`) and returns each template's best input, best first: complete fits, then the larger share
 * of required columns found, then more columns found, then the larger share of optional columns, then by name (and
 * within a template, in the order the inputs are declared).
 */
export function rankTemplates(headers: readonly string[], templates: readonly RankableTemplate[]): TemplateFit[] {
  const best: TemplateFit[] = []
  for (const template of templates) {
    const fits = template.inputs.map((input) => fitInput(template, input, headers)).sort(compareFits)
    if (fits[0]) best.push(fits[0])
  }
  return best.sort(compareFits)
}

/** The fits worth showing: at least half of the required columns found, the best `limit`. */
export function goodFits(ranked: readonly TemplateFit[], limit = TOP_FITS): TemplateFit[] {
  return ranked.filter((fit) => fit.matched.length > 0 && requiredShare(fit) >= MIN_REQUIRED_SHARE).slice(0, limit)
}

/** Ranks the shipped templates that load against a file's headers. */
export async function rankShippedTemplates(headers: readonly string[]): Promise<TemplateFit[]> {
  const {templates} = await loadShippedTemplates()
  return rankTemplates(headers, templates)
}

function fitInput(
  template: RankableTemplate,
  input: RankableTemplate['inputs'][number],
  headers: readonly string[],
): TemplateFit {
  const fit: TemplateFit = {
    template: template.name,
    title: template.title,
    input: input.name,
    required: {found: 0, total: 0},
    optional: {found: 0, total: 0},
    complete: false,
    matched: [],
    missing: [],
    missingOptional: [],
  }
  const found = findColumns(input.columns, headers)
  for (const column of input.columns) {
    const count = column.optional ? fit.optional : fit.required
    count.total++
    const index = found.get(column.key)
    const header = index === undefined ? undefined : headers[index]
    if (header === undefined) {
      ;(column.optional ? fit.missingOptional : fit.missing).push({key: column.key, headers: column.headers})
      continue
    }
    count.found++
    fit.matched.push({key: column.key, header, optional: column.optional})
  }
  fit.complete = fit.missing.length === 0 && fit.matched.length > 0
  return fit
}

/** The share of required columns found; an input without required columns counts as found once anything matched. */
function requiredShare(fit: TemplateFit): number {
  if (fit.required.total === 0) return fit.matched.length > 0 ? 1 : 0
  return fit.required.found / fit.required.total
}

function optionalShare(fit: TemplateFit): number {
  return fit.optional.total === 0 ? 0 : fit.optional.found / fit.optional.total
}

function compareFits(a: TemplateFit, b: TemplateFit): number {
  return (
    Number(b.complete) - Number(a.complete) ||
    requiredShare(b) - requiredShare(a) ||
    b.matched.length - a.matched.length ||
    optionalShare(b) - optionalShare(a) ||
    a.template.localeCompare(b.template)
  )
}

// --- helpers ----------------------------------------------------------------------------------------------------------

function optional<K extends string, V>(key: K, value: V | undefined): {[P in K]?: V} {
  return (value === undefined ? {} : {[key]: value}) as {[P in K]?: V}
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path)
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel)
}
