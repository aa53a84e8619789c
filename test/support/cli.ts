import {type ChildProcess, spawn} from 'node:child_process'
import {once} from 'node:events'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const BIN = join(REPO_ROOT, 'bin', 'run.js')

/**
 * The locale variables that choose the language of messages, set to English (spawn leaves out undefined values): the
 * tests expect English on any machine, also one with LANG=sv_SE.UTF-8. A test that wants Swedish passes its own.
 */
const ENGLISH: NodeJS.ProcessEnv = {LC_ALL: undefined, LC_MESSAGES: undefined, LANG: 'C.UTF-8'}

export interface CliResult {
  stdout: string
  stderr: string
  exitCode: number | null
}

/**
 * Runs the built `ss12000` command as a user would, in its own process (npm test builds first). CI=1 keeps progress
 * off; DEBUG is cleared so stack traces appear only when a test asks for them; messages are in English unless the
 * test's env sets a Swedish locale.
 */
export function runCli(args: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv} = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: {...process.env, CI: '1', DEBUG: '', NO_COLOR: '1', ...ENGLISH, ...options.env},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (exitCode) => resolvePromise({stdout, stderr, exitCode}))
  })
}

/**
 * Runs the built command on a real pseudo-terminal (util-linux `script`, 120 columns), as a person at a terminal
 * would, so progress is drawn. Returns what the terminal showed with escape sequences removed, one entry per distinct
 * screen line in order of appearance, and the exit code.
 */
export function runCliOnTerminal(
  args: string[],
  options: {env?: NodeJS.ProcessEnv} = {},
): Promise<{lines: string[]; exitCode: number | null}> {
  const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`
  const command = `stty cols 120 rows 50; exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`
  const env: NodeJS.ProcessEnv = {...process.env, DEBUG: '', TERM: 'xterm', ...ENGLISH, ...options.env}
  delete env.CI
  return new Promise((resolvePromise, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: REPO_ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    child.stderr.resume()
    child.on('error', reject)
    child.on('close', (exitCode) => {
      // eslint-disable-next-line no-control-regex
      const plain = output.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')
      const lines: string[] = []
      for (const line of plain.split(/[\r\n]+/).map((text) => text.trimEnd())) {
        if (line.trim() !== '' && !lines.includes(line)) lines.push(line)
      }
      resolvePromise({lines, exitCode})
    })
  })
}

/** A fresh temporary directory, removed by the returned cleanup. */
export async function makeTempDir(prefix = 'ss12000-test-'): Promise<{dir: string; cleanup: () => Promise<void>}> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return {dir, cleanup: () => rm(dir, {recursive: true, force: true})}
}

/** Writes files (name → text, or a value to JSON-encode) into a directory; returns their paths. */
export async function writeFiles(dir: string, files: Record<string, string | unknown>): Promise<string[]> {
  const paths: string[] = []
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name)
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2))
    paths.push(path)
  }
  return paths
}

/** Lines that look like a JavaScript stack trace. */
export function stackTraceLines(text: string): string[] {
  return text.split('\n').filter((line) => /^\s+at .+(\(|:\d+:\d+)/.test(line))
}

/** Starts the built `ss12000 serve` with these arguments and waits for the line that names its URL. */
export async function startServe(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{child: ChildProcess; url: string; stop: () => Promise<void>}> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: {...process.env, CI: '1', NO_COLOR: '1', ...ENGLISH, ...env},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const url = await new Promise<string>((resolvePromise, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
      const match = /at (https?:\/\/\S+)/.exec(output)
      if (match) resolvePromise(match[1]!)
    })
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)))
  })
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGINT')
    await once(child, 'exit')
  }
  return {child, url, stop}
}
