/**
 * Which files a path stands for: a file as given, or the JSON files under a directory (walked, symlink loops
 * skipped) in dependency order; and the OS errors on the way, in plain words.
 */
import * as fs from 'node:fs/promises'
import * as path from 'node:path'

import {DEPENDENCY_ORDER, entityFromName, type EntityName} from '../../schema/entity-names.js'
import type {IssueEvent} from './events.js'

const JSON_FILE = /\.(json|ndjson|jsonl)$/i

/**
 * Entity type from a file name: the basename without extension(s), matched with entityFromName; also a name that
 * starts with a known collection name followed by one of - _ . or a digit ('persons-2024.json', 'persons_page2.ndjson').
 */
export function entityHintFromFileName(file: string): EntityName | undefined {
  const base = path.basename(file)
  const dot = base.indexOf('.')
  const stem = dot < 0 ? base : base.slice(0, dot)
  const direct = entityFromName(stem)
  if (direct !== undefined) return direct
  const prefix = /^([A-Za-z]+)[-_.0-9]/.exec(stem)?.[1]
  return prefix === undefined ? undefined : entityFromName(prefix)
}

interface Expanded {
  files: string[]
  issues: IssueEvent[]
}

/** The files a path stands for, in reading order, and the problems met finding them. */
export async function expandPath(given: string): Promise<Expanded> {
  let stat
  try {
    stat = await fs.stat(given)
  } catch (error) {
    return {files: [], issues: [unreadable(given, error)]}
  }
  if (!stat.isDirectory()) return {files: [given], issues: []}
  const found: Expanded = {files: [], issues: []}
  await walk(given, found, new Set([await realpathOr(given)]))
  if (found.files.length === 0 && found.issues.length === 0) {
    found.issues.push({
      kind: 'warning',
      file: given,
      code: 'input.no-files',
      message: `No .json, .ndjson or .jsonl files in the directory ${given}`,
    })
  }
  // Dependency order first, so the engine mostly meets referenced entities before the references.
  const keyed = found.files.map((file) => ({file, rank: fileRank(file)}))
  keyed.sort((a, b) => a.rank - b.rank || a.file.localeCompare(b.file, 'en'))
  return {files: keyed.map((entry) => entry.file), issues: found.issues}
}

function fileRank(file: string): number {
  const hint = entityHintFromFileName(file)
  return hint === undefined ? DEPENDENCY_ORDER.length : DEPENDENCY_ORDER.indexOf(hint)
}

async function walk(dir: string, found: Expanded, seen: Set<string>): Promise<void> {
  let entries
  try {
    entries = await fs.readdir(dir, {withFileTypes: true})
  } catch (error) {
    found.issues.push(unreadable(dir, error))
    return
  }
  for (const entry of entries) {
    const name = entry.name
    if (name.startsWith('.') || name === 'node_modules') continue
    const full = path.join(dir, name)
    let isDir = entry.isDirectory()
    let isFile = entry.isFile()
    if (entry.isSymbolicLink()) {
      try {
        const target = await fs.stat(full)
        isDir = target.isDirectory()
        isFile = target.isFile()
      } catch (error) {
        if (JSON_FILE.test(name)) found.issues.push(unreadable(full, error))
        continue
      }
    }
    if (isDir) {
      // Symlinked directories can loop back on themselves.
      const real = await realpathOr(full)
      if (seen.has(real)) continue
      seen.add(real)
      await walk(full, found, seen)
    } else if (isFile && JSON_FILE.test(name) && !(await isConvertReport(full))) {
      found.files.push(full)
    }
  }
}

/** The report.json that `ss12000 convert` writes beside its entity files: data about the run, not SS 12000 data. */
export const CONVERT_REPORT_MARK = '"tool": "ss12000 convert"'

async function isConvertReport(file: string): Promise<boolean> {
  if (path.basename(file) !== 'report.json') return false
  const handle = await fs.open(file, 'r').catch(() => undefined)
  if (!handle) return false
  try {
    const {buffer, bytesRead} = await handle.read(Buffer.alloc(64), 0, 64, 0)
    return buffer.subarray(0, bytesRead).toString('utf8').includes(CONVERT_REPORT_MARK)
  } finally {
    await handle.close()
  }
}

async function realpathOr(file: string): Promise<string> {
  try {
    return await fs.realpath(file)
  } catch {
    return path.resolve(file)
  }
}

const OS_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
  EIO: 'an input/output error occurred',
}

/** The error for a path that cannot be read, with the OS reason in plain words. */
export function unreadable(file: string, error: unknown): IssueEvent {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const reason =
    code !== undefined && OS_REASONS[code] !== undefined
      ? `${OS_REASONS[code]} (${code})`
      : error instanceof Error
        ? error.message
        : String(error)
  return {kind: 'error', file, code: 'input.unreadable', message: `Cannot read ${file}: ${reason}`}
}
