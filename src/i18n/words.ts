import {currentLanguage, type Language} from './language.js'

/**
 * The words and phrases that messages are built from outside the issue catalog (what a schema expects, what to do),
 * in every language. The catalog's templates take them as parameters, so a Swedish message has no English in it.
 */
const EN = {
  'type.string': 'text (a JSON string)',
  'type.integer': 'a whole number',
  'type.number': 'a number',
  'type.boolean': 'true or false',
  'type.object': 'an object',
  'type.array': 'a list (a JSON array)',
  'type.null': 'null',
  or: 'or',
  and: 'and',
  'format.uuid': 'a UUID (8-4-4-4-12 hexadecimal digits)',
  'format.date': 'a real date written YYYY-MM-DD',
  'format.date-time': 'an RFC 3339 date-time with offset, e.g. 2024-08-19T08:00:00+02:00',
  'format.email': 'an email address',
  'format.uri': 'an absolute URI',
  'format.other': 'in format {format}',
  'hint.reference-object': 'References are objects: write {"id": {id}} instead of the bare id.',
  'hint.time-offset': 'The time has no offset: add +01:00 (winter) or +02:00 (summer) for Swedish local time.',
  'hint.did-you-mean-value': 'Did you mean "{suggestion}"? Values are case- and accent-sensitive.',
  'hint.did-you-mean-field': 'Did you mean {suggestion}?',
  'range.minimum': 'at least',
  'range.maximum': 'at most',
  'condition.is': '{name} is {value}',
  'condition.other': 'another field has a given value',
} as const

export type WordKey = keyof typeof EN

const SV: Record<WordKey, string> = {
  'type.string': 'text (en JSON-sträng)',
  'type.integer': 'ett heltal',
  'type.number': 'ett tal',
  'type.boolean': 'true eller false',
  'type.object': 'ett objekt',
  'type.array': 'en lista (en JSON-array)',
  'type.null': 'null',
  or: 'eller',
  and: 'och',
  'format.uuid': 'ett UUID (8-4-4-4-12 hexadecimala siffror)',
  'format.date': 'ett riktigt datum skrivet ÅÅÅÅ-MM-DD',
  'format.date-time': 'en tidpunkt enligt RFC 3339 med tidszon, t.ex. 2024-08-19T08:00:00+02:00',
  'format.email': 'en e-postadress',
  'format.uri': 'en absolut URI',
  'format.other': 'i formatet {format}',
  'hint.reference-object': 'Referenser är objekt: skriv {"id": {id}} i stället för bara id:t.',
  'hint.time-offset': 'Tiden saknar tidszon: lägg till +01:00 (vintertid) eller +02:00 (sommartid) för svensk tid.',
  'hint.did-you-mean-value': 'Menade du "{suggestion}"? Stora och små bokstäver och accenter räknas.',
  'hint.did-you-mean-field': 'Menade du {suggestion}?',
  'range.minimum': 'minst',
  'range.maximum': 'högst',
  'condition.is': '{name} är {value}',
  'condition.other': 'ett annat fält har ett visst värde',
}

export const WORDS: Record<Language, Record<WordKey, string>> = {en: EN, sv: SV}

/** A word or phrase in the current language, with `{name}` placeholders filled in. */
export function word(
  key: WordKey,
  params: Record<string, string> = {},
  language: Language = currentLanguage(),
): string {
  return WORDS[language][key].replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole)
}
