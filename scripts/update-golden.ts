/**
 * Regenerates the golden outputs of the shipped templates, templates/<name>/expected/, from each template's example
 * and the fixed test configuration:
 *
 *   npx tsx scripts/update-golden.ts            # every shipped template
 *   npx tsx scripts/update-golden.ts sds-v1     # only these
 *
 * test/unit/templates/golden.test.ts converts the same examples and compares every file byte for byte with
 * expected/, so after a deliberate change to a template, an example or the engine, run this, read the diff, and commit
 * it. The example of se-generic is examples/legacy; every other template's is its own example/ folder.
 *
 * The convert runs with paths relative to the repository root, whatever the working directory, so report.json names
 * no machine's folders. normaliseReport, used here and by the test, still rewrites the report's paths relative to the
 * root (a no-op for runs from the root), and its `outDir`, should a report carry one, to the expected/ folder: the
 * only field that would depend on where the run wrote.
 */
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {isAbsolute, join, relative, resolve, sep} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {shippedTemplateNames} from '../src/mapping/load.js'
import {convert, type ConvertResult} from '../src/services/convert.js'

/** The repository root, as an absolute path. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))
/** The configuration every golden run uses, relative to the repository root. */
export const GOLDEN_CONFIG = 'test/fixtures/convert/ss12000.config.yaml'
/** The report convert writes beside the entity files; the only output normalised before comparing. */
export const REPORT_FILE = 'report.json'

/** A repository path (POSIX, relative to the root) as the current working directory reaches it. */
function fromCwd(path: string): string {
  const local = relative(process.cwd(), join(REPO_ROOT, path))
  return local === '' ? '.' : local
}

/** Any path convert wrote into the report, as a POSIX path relative to the repository root. */
function repoPath(path: string): string {
  const absolute = isAbsolute(path) ? path : resolve(process.cwd(), path)
  return relative(REPO_ROOT, absolute).split(sep).join('/')
}

/** The example folder of a shipped template, relative to the repository root. */
export function exampleDir(template: string): string {
  return template === 'se-generic' ? 'examples/legacy' : `templates/${template}/example`
}

/** The golden folder of a shipped template, relative to the repository root. */
export function expectedDir(template: string): string {
  return `templates/${template}/expected`
}

/** Converts a shipped template's example into `outDir` with the fixed configuration. */
export async function convertExample(template: string, outDir: string): Promise<ConvertResult> {
  return convert({
    paths: [fromCwd(exampleDir(template))],
    template: fromCwd(`templates/${template}`),
    configPath: fromCwd(GOLDEN_CONFIG),
    outDir,
    format: 'json',
    allowPartial: false,
    profile: 'ss12000-2020',
    reveal: false,
    keepAllIssues: false,
  })
}

/**
 * report.json as the golden file holds it: the template's and input files' paths relative to the repository root
 * (they already are when the run starts there) and `outDir`, if the report has one, the template's expected/ folder.
 * Written as convert writes JSON (two-space indent, final newline), so a report that needs no change keeps its bytes.
 */
export function normaliseReport(text: string, template: string): string {
  const report = JSON.parse(text) as {
    outDir?: unknown
    template?: {path?: unknown}
    files?: Array<{file?: unknown}>
  }
  if (report.outDir !== undefined) report.outDir = expectedDir(template)
  if (typeof report.template?.path === 'string') report.template.path = repoPath(report.template.path)
  for (const file of report.files ?? []) if (typeof file.file === 'string') file.file = repoPath(file.file)
  return `${JSON.stringify(report, null, 2)}\n`
}

/** The files a convert wrote into `dir`, by name, with report.json normalised. */
export async function readOutputs(dir: string, template: string): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  for (const name of (await readdir(dir)).sort()) {
    const text = await readFile(join(dir, name), 'utf8')
    files.set(name, name === REPORT_FILE ? normaliseReport(text, template) : text)
  }
  return files
}

/** Converts a template's example and replaces its expected/ folder with the outputs. */
export async function updateGolden(template: string): Promise<ConvertResult> {
  const work = await mkdtemp(join(tmpdir(), `ss12000-golden-${template}-`))
  const result = await convertExample(template, work)
  // A golden output is a clean run; a failed one is left in place to be read.
  if (!result.valid || result.totals.rejected > 0) {
    throw new Error(`${template}: the example does not convert cleanly; see ${join(work, REPORT_FILE)}`)
  }
  const target = join(REPO_ROOT, expectedDir(template))
  await rm(target, {recursive: true, force: true})
  await mkdir(target, {recursive: true})
  for (const [name, text] of await readOutputs(work, template)) await writeFile(join(target, name), text)
  await rm(work, {recursive: true, force: true})
  return result
}

async function main(names: string[]): Promise<void> {
  const shipped = shippedTemplateNames()
  const unknown = names.filter((name) => !shipped.includes(name))
  if (unknown.length > 0)
    throw new Error(`not shipped templates: ${unknown.join(', ')} (shipped: ${shipped.join(', ')})`)
  for (const template of names.length > 0 ? names : shipped) {
    const result = await updateGolden(template)
    const {rows, accepted, rejected, skipped} = result.totals
    console.log(
      `${expectedDir(template)}: ${result.outputs.join(', ')} (${rows} rows: ${accepted} accepted, ${rejected} rejected, ${skipped} skipped)`,
    )
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main(process.argv.slice(2))
}
