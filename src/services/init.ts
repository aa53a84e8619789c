import {access, open} from 'node:fs/promises'

import {parseConfig, renderConfig, schoolYearAround} from '../config/config.js'
import {UsageError} from '../errors.js'
import {parseIsoDate} from '../transforms/calendar.js'
import {generateSecret} from '../transforms/ids.js'
import {checkOrganisationNumber} from '../validation/identity.js'

export interface InitOptions {
  path: string
  force: boolean
  organisationName: string
  organisationNumber?: string
  termStart?: string
  termEnd?: string
  schoolTypes: string[]
  /** Today's date (YYYY-MM-DD), for the default term. */
  today: string
  /** Where the namespace and the secret come from (crypto in the command, fixed values in tests). */
  random: {uuid(): string; bytes(count: number): Uint8Array}
}

/** What init did; it never includes the secret. */
export interface InitResult {
  path: string
  overwritten: boolean
  organisation: {name: string; organisationNumber?: string}
  namespace: string
  term: {start: string; end: string}
  schoolTypes: string[]
}

/** Writes a new, commented configuration file with a fresh id namespace and secret, readable by its owner only. */
export async function initConfig(options: InitOptions): Promise<InitResult> {
  const number = options.organisationNumber
  if (number !== undefined && !checkOrganisationNumber(number).ok) {
    throw new UsageError(`--organisation-number ${number} is not a valid organisationsnummer (NNNNNN-NNNN).`)
  }
  const guess = schoolYearAround(options.today)
  const term = {start: options.termStart ?? guess.start, end: options.termEnd ?? guess.end}
  for (const [flag, date] of [
    ['--term-start', term.start],
    ['--term-end', term.end],
  ] as const) {
    if (parseIsoDate(date) === undefined) throw new UsageError(`${flag} ${date} is not a date written YYYY-MM-DD.`)
  }
  if (term.start > term.end) throw new UsageError(`The term ends (${term.end}) before it starts (${term.start}).`)
  const namespace = options.random.uuid()
  const text = renderConfig({
    createdOn: options.today,
    organisationName: options.organisationName,
    ...(number === undefined ? {} : {organisationNumber: number}),
    namespace,
    secret: generateSecret(options.random.bytes(32)),
    termStart: term.start,
    termEnd: term.end,
    schoolTypes: options.schoolTypes,
  })
  // What init writes must load with the same checks as every later command: check before writing anything.
  parseConfig(text, options.path, {})
  // Opening with 'w' empties the file, so whether there was one is asked first.
  const overwritten =
    options.force &&
    (await access(options.path).then(
      () => true,
      () => false,
    ))
  let file
  try {
    file = await open(options.path, options.force ? 'w' : 'wx', 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    throw new UsageError(`${options.path} already exists.`, {
      actions: [
        'Keep it: its ids.namespace and ids.secret make your ids; new ones would change every id.',
        'Pass --force only to start over.',
      ],
    })
  }
  try {
    await file.truncate(0)
    await file.writeFile(text)
    await file.chmod(0o600)
  } finally {
    await file.close()
  }
  return {
    path: options.path,
    overwritten,
    organisation: {name: options.organisationName, ...(number === undefined ? {} : {organisationNumber: number})},
    namespace,
    term,
    schoolTypes: options.schoolTypes,
  }
}
