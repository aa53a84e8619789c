/** The languages user-facing messages come in. English is the default; Swedish is for the school staff who use it. */
export const LANGUAGES = ['en', 'sv'] as const

export type Language = (typeof LANGUAGES)[number]

/**
 * The language the environment asks for: the first of LC_ALL, LC_MESSAGES and LANG that is set and not empty decides
 * (the POSIX precedence for messages), and it means Swedish when it names a Swedish locale (`sv`, `sv_SE.UTF-8`,
 * `sv_FI`). Anything else, `C` and `POSIX` included, or nothing set, means English.
 */
export function languageFromEnv(env: Readonly<Record<string, string | undefined>>): Language {
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((value) => value !== undefined && value !== '')
  return locale !== undefined && /^sv(?:[_.@]|$)/.test(locale) ? 'sv' : 'en'
}

let current: Language = 'en'

/**
 * Sets the language messages are rendered in for the rest of the process. Commands set it once at start (from
 * `--lang`, else from the environment); library use and unit tests stay English unless they set it.
 */
export function setLanguage(language: Language): void {
  current = language
}

/** The language messages are rendered in now. */
export function currentLanguage(): Language {
  return current
}
