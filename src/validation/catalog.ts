import {currentLanguage, type Language} from '../i18n/language.js'
import {CATALOG_SV} from './catalog-sv.js'

/**
 * Every user-facing message of the validation layers, keyed by issue code, so that messages can be translated and
 * grouped (the Swedish texts are in catalog-sv.ts). Placeholders in braces are filled by `renderIssueText`. Messages
 * hold no per-record values (those go in Issue.value), so that identical problems group together.
 */
export const CATALOG = {
  // input: files and their shape
  'json.syntax': {
    severity: 'error',
    message: 'JSON syntax error: {detail}',
    hint: 'Fix the JSON at this position; nothing after it in this file could be read.',
  },
  'json.empty': {severity: 'warning', message: 'The file holds no JSON value', hint: 'Remove the file or fill it.'},
  'input.encoding': {
    severity: 'error',
    message: 'The file is not valid UTF-8: {detail}',
    hint: 'SS 12000 JSON must be UTF-8. Convert it, e.g. iconv -f WINDOWS-1252 -t UTF-8.',
  },
  'input.utf16': {
    severity: 'warning',
    message: 'The file is UTF-16; it was read, but SS 12000 JSON should be UTF-8',
    hint: 'Save it as UTF-8.',
  },
  'input.unreadable': {severity: 'error', message: 'Cannot read the input: {detail}'},
  'input.no-files': {severity: 'warning', message: 'No .json, .ndjson or .jsonl files here'},
  'input.entity-unknown': {
    severity: 'error',
    message: 'Cannot tell which entity type these records are ({count} records skipped)',
    hint: 'Name the file after its collection (persons.json, groups.ndjson), wrap the records as {"persons": [...]}, or pass --entity Person.',
  },
  'input.not-an-object': {severity: 'error', message: '{entity} records must be JSON objects, found {detail}'},
  'input.no-entities': {severity: 'warning', message: 'The input holds no entities to validate'},
  // tabular sources (CSV, Excel)
  'source.empty': {severity: 'error', message: 'The file holds no data: it is empty or every row is blank'},
  'source.header-only': {severity: 'warning', message: 'The file has a header row but no data rows'},
  'source.header-empty': {severity: 'warning', message: 'Column {column} has no header; it is called {name}'},
  'source.header-duplicate': {
    severity: 'warning',
    message: 'The header "{original}" appears more than once; column {column} is called {name}',
    hint: 'Rename the column in the export, or refer to it as {name} in the template.',
  },
  'source.blank-rows': {severity: 'warning', message: '{count} blank row(s) skipped (lines {lines})'},
  'source.encoding-mixed': {
    severity: 'warning',
    message:
      'The file mixes encodings: {count} line(s) are not valid UTF-8 and were read as Windows-1252 (lines {lines})',
    hint: 'Check those lines for wrong characters; save the file in one encoding (UTF-8).',
  },
  'source.ragged-extra': {
    severity: 'error',
    message:
      'The row has {count} cells but the header has {expected}; the extra cells hold data that belongs to no column',
    hint: 'A delimiter inside an unquoted value? Quote the value, or check --delimiter.',
  },
  'source.ragged-short': {
    severity: 'warning',
    message: 'The row has {count} cells but the header has {expected}; the missing cells are read as empty',
  },
  'source.truncated': {
    severity: 'error',
    message: 'The file ends inside a quoted value that starts on line {line}: the last record is cut off',
    hint: 'The export was interrupted, or a quote is not closed.',
  },
  'source.excel-error': {
    severity: 'error',
    message: 'Cell {cell} holds the Excel error {value}',
    hint: 'Fix the formula or the value in the workbook.',
  },
  'source.excel-no-result': {
    severity: 'warning',
    message: 'Cell {cell} has a formula with no saved result; it is read as empty',
    hint: 'Open the file in Excel and save it, so the results are stored.',
  },
  // transforms: mapping a legacy cell to an SS 12000 value (src/transforms)
  'transform.name.format': {
    severity: 'error',
    message: 'The name is not written as the column\'s declared name format "{format}"',
    hint: 'Check the name format declared for this column in the template ("family, given" needs one comma).',
  },
  'transform.name.single': {
    severity: 'warning',
    message: 'Only one name was found; it is used as {part}',
    hint: 'SS 12000 requires both givenName and familyName: take the other from a column of its own, or fix the source.',
  },
  'transform.civic-no.format': {
    severity: 'error',
    message: 'Not a civic number in a known layout (YYYYMMDD-NNNN, YYMMDD-NNNN, YYYYMMDDNNNN or YYMMDDNNNN)',
    hint: 'A number with 11 digits has a digit too many or too few; check it against the source.',
  },
  'transform.civic-no.date': {
    severity: 'error',
    message: 'The civic number does not start with a real date (samordningsnummer: day + 60)',
  },
  'transform.civic-no.checksum': {
    severity: 'error',
    message: 'The civic number fails the Luhn check digit',
    hint: 'Check the number against its source; a typo is likely.',
  },
  'transform.civic-no.temporary': {
    severity: 'error',
    message: 'Temporary civic numbers (letters in positions 9-10) are not allowed in this column',
    hint: "Set allowTemporary: true for the column if the school register's temporary numbers belong in the output.",
  },
  'transform.civic-no.lower-case': {
    severity: 'warning',
    message: 'Lower-case letters in a temporary civic number were changed to capitals',
  },
  'transform.civic-no.leading-zeros': {
    severity: 'warning',
    message: 'The civic number was too short; the leading zeros Excel drops from numbers were put back',
    hint: 'Format the column as text in Excel, so that numbers starting with 0 keep their zeros.',
  },
  'transform.sex.temporary': {
    severity: 'error',
    message: 'Sex cannot be derived from a temporary civic number',
    hint: 'Take sex from a column of its own.',
  },
  'transform.date.format': {
    severity: 'error',
    message: "The value does not match the column's declared date format {format}",
    hint: 'Dates are never guessed: check the format declared for this column in the template.',
  },
  'transform.date.invalid': {severity: 'error', message: 'Not a real calendar date'},
  'transform.date.excel-leap-day': {
    severity: 'error',
    message: 'Excel date 60 is 1900-02-29, a day that did not exist (a known Excel bug)',
    hint: 'Check the date in the workbook.',
  },
  'transform.date.range': {
    severity: 'error',
    message: 'The date is outside the years 0001-9999 (Excel serial numbers 1-2958465)',
  },
  'transform.date.time-dropped': {severity: 'warning', message: 'The value has a time of day; only the date is kept'},
  'transform.date-time.no-time': {
    severity: 'warning',
    message: 'The value has no time of day; midnight (00:00) is used',
  },
  'transform.date-time.invalid-time': {severity: 'error', message: 'Not a real time of day (00:00:00-23:59:59)'},
  'transform.date-time.dst-gap': {
    severity: 'error',
    message: 'This local time does not exist in {timeZone}: clocks jump from 02:00 to 03:00 that night',
    hint: 'Check the time in the source.',
  },
  'transform.date-time.dst-ambiguous': {
    severity: 'warning',
    message:
      'This local time occurs twice in {timeZone} (clocks go back from 03:00 to 02:00); the first, summer-time one (+02:00) is used',
  },
  'transform.email.invalid': {
    severity: 'error',
    message: 'Not a valid email address',
    hint: 'An address needs one @, a domain with a dot, and no spaces or letters outside a-z (write å, ä, ö domains in punycode).',
  },
  'transform.phone.invalid': {
    severity: 'error',
    message: 'Not a phone number: only digits, spaces, +, -, ., / and parentheses may appear',
    hint: 'Move extensions and notes to a column of their own.',
  },
  'transform.phone.length': {
    severity: 'error',
    message: 'A Swedish phone number has 7-9 digits after the leading 0',
  },
  'transform.phone.international-length': {
    severity: 'error',
    message: 'An international phone number has 7-15 digits after the + and does not start with 0',
  },
  'transform.phone.leading-zero': {
    severity: 'warning',
    message: 'The phone number has no leading 0 or country code; it is taken as a Swedish number whose 0 was lost',
    hint: 'Format the column as text in Excel, so that numbers starting with 0 keep their zeros.',
  },
  'transform.phone.trunk-zero': {
    severity: 'warning',
    message: 'The 0 after the country code +46 was dropped (+46 70..., not +46 070...)',
  },
  'transform.boolean.unknown': {
    severity: 'error',
    message: 'Not a yes/no value; the column accepts {accepted}',
    hint: "Add the value to the column's true or false list in the template, or fix the source.",
  },
  'transform.integer.invalid': {
    severity: 'error',
    message: 'Not a whole number',
    hint: 'Digits with an optional sign; thousands may be separated by spaces (1 234).',
  },
  'transform.decimal.invalid': {
    severity: 'error',
    message: 'Not a number',
    hint: 'Use a decimal comma or point (3,5 or 3.5); thousands may be separated by spaces (1 234,5).',
  },
  'transform.number.range': {severity: 'error', message: 'The number is outside the allowed range {range}'},
  'transform.percent.invalid': {
    severity: 'error',
    message: 'Not a percentage',
    hint: "Write it as 50, 50 % or 0,5 (with the column's scale set to fraction or auto).",
  },
  'transform.percent.range': {severity: 'error', message: 'A percentage must be between 0 and 100'},
  'transform.percent.rounded': {severity: 'warning', message: 'The percentage was rounded to a whole number'},
  'transform.school-year.unknown': {
    severity: 'error',
    message: 'Cannot tell the school year from the class name',
    hint: 'Map the class to a school year in a crosswalk, or take schoolYear from a column of its own.',
  },
  'transform.school-year.mixed': {
    severity: 'error',
    message: 'The class spans several school years (like 1-3A), so it gives no single school year',
    hint: "Take each pupil's schoolYear from a column of its own.",
  },
  'transform.school-year.gy-range': {
    severity: 'error',
    message:
      'The start year in the class name gives a gymnasium year outside 1-4 on the reference date (the class has left or has not started)',
    hint: 'Check the class name, and that the reference date lies in the school year the export describes.',
  },
  'transform.school-type.unknown': {
    severity: 'error',
    message: 'Cannot tell the school type from the class name',
    hint: 'Map the class to a school type in a crosswalk, or take it from the config.',
  },
  'transform.id.namespace': {
    severity: 'error',
    message: 'The id namespace is not a UUID',
    hint: 'Set the id namespace in ss12000.config.yaml; ss12000 init writes one.',
  },
  'transform.id.entity': {
    severity: 'error',
    message: 'The entity name an id is derived for must be letters and digits only',
  },
  'transform.id.key-empty': {
    severity: 'error',
    message: 'A key column the id is derived from is empty',
    hint: 'Every key column needs a value, or the id would not identify the record.',
  },
  'transform.id.key-separator': {
    severity: 'error',
    message: 'A key value the id is derived from contains the control character U+001F',
  },
  'transform.id.secret-missing': {
    severity: 'error',
    message: 'The id is derived from a civic number, but no id secret is configured',
    hint: 'Set the id secret in ss12000.config.yaml or its environment variable; ss12000 init generates one.',
  },
  'transform.id.secret-invalid': {
    severity: 'error',
    message: 'The id secret must be hexadecimal, at least 32 digits (16 bytes)',
    hint: 'ss12000 init generates a suitable secret.',
  },
  // mapping: templates turning rows into entities (src/mapping)
  'mapping.crosswalk-unmapped': {
    severity: 'error',
    message: 'The value is not in the crosswalk "{crosswalk}"',
    hint: 'Add the value to the crosswalk in the template (or its CSV file), or fix the source.',
  },
  'mapping.lookup-missing': {
    severity: 'error',
    message: 'No {target} has this {lookup}',
    hint: 'Check the value against the file the {target} entities come from.',
  },
  'mapping.lookup-ambiguous': {
    severity: 'error',
    message: 'Several {target} entities have this {lookup}, so it does not say which one is meant',
    hint: 'Make the lookup key more specific in the template (add the unit, for example), or fix the source.',
  },
  'mapping.extend-missing': {
    severity: 'error',
    message: 'The row adds to a {target} that no row made ({output})',
    hint: 'Check the key against the file the {target} entities come from.',
  },
  'mapping.lookup-unmatched': {
    severity: 'warning',
    message: 'No {target} has this {lookup}; the reference is left out',
    hint: 'The template allows this (missing: warn); check the value if a reference was expected.',
  },
  'mapping.extend-unmatched': {
    severity: 'warning',
    message: 'The row adds to a {target} that no row made ({output}); it adds nothing',
    hint: 'The template allows this (missing: warn); check the key if the row should have added something.',
  },
  'mapping.merge-conflict': {
    severity: 'warning',
    message: '{field} differs between rows of the same {entity}; the value from {first} is kept',
    hint: 'Make the rows agree in the source, or map the field from a column that does.',
  },
  'mapping.rejected-reference': {
    severity: 'error',
    message: '{field} refers to a {target} that was rejected, so this {entity} is left out too',
  },
  'mapping.rejected-item': {
    severity: 'warning',
    message: '{field} referred to a {target} that was rejected; that item was left out',
  },
  // schema
  'schema.required': {severity: 'error', message: '{entity}: the required field {field} is missing'},
  'schema.required-when': {
    severity: 'error',
    message: '{entity}: {field} is required when {condition} ({profile} profile)',
  },
  'schema.type': {severity: 'error', message: '{field} must be {expected}'},
  'schema.format': {severity: 'error', message: '{field} must be {expected}'},
  'schema.enum': {
    severity: 'error',
    message: '{field} must be one of the {profile} values: {allowed}',
    hint: '{suggestion}',
  },
  'schema.min-items': {severity: 'error', message: '{field} must have at least {limit} item(s)'},
  'schema.unique-items': {severity: 'error', message: '{field} must not repeat a value'},
  'schema.range': {severity: 'error', message: '{field} must be {comparison} {limit}'},
  'schema.pattern': {severity: 'error', message: '{field} must match {pattern}'},
  'schema.unknown-field': {
    severity: 'warning',
    message: '{field} is not a field of SS 12000 {parent}; it is ignored by conforming systems',
    hint: '{suggestion}',
  },
  'schema.other': {severity: 'error', message: '{field}: {detail}'},
  // Swedish identity rules
  'identity.civic-no.empty': {severity: 'error', message: 'Person.civicNo.value is empty'},
  'identity.civic-no.separator': {
    severity: 'error',
    message: 'Person.civicNo.value must be 12 characters without a separator (YYYYMMDDNNNN)',
    hint: 'Write it as {suggestion}.',
  },
  'identity.civic-no.length': {
    severity: 'error',
    message: 'Person.civicNo.value must be 12 characters (YYYYMMDDNNNN)',
    hint: "A 10-digit YYMMDDNNNN needs its century; convert with the toolkit's personnummer transform.",
  },
  'identity.civic-no.characters': {
    severity: 'error',
    message: 'Person.civicNo.value may hold only digits, and capital letters in positions 9-10 for temporary numbers',
  },
  'identity.civic-no.date': {
    severity: 'error',
    message: 'Person.civicNo.value does not start with a real date (samordningsnummer: day + 60)',
  },
  'identity.civic-no.checksum': {
    severity: 'error',
    message: 'Person.civicNo.value fails the Luhn check digit',
    hint: 'Check the number against its source; a typo is likely.',
  },
  'identity.civic-no.birth-date': {severity: 'warning', message: 'Person.birthDate does not match the date in civicNo'},
  'identity.organisation-number.empty': {severity: 'error', message: 'Organisation.organisationNumber is empty'},
  'identity.organisation-number.length': {
    severity: 'error',
    message: 'Organisation.organisationNumber must be 10 digits (NNNNNN-NNNN)',
  },
  'identity.organisation-number.characters': {
    severity: 'error',
    message: 'Organisation.organisationNumber may hold only digits and one dash',
  },
  'identity.organisation-number.checksum': {
    severity: 'error',
    message: 'Organisation.organisationNumber fails the Luhn check digit',
  },
  'identity.school-unit-code': {
    severity: 'error',
    message: 'Organisation.schoolUnitCode must be 8 digits (skolenhetskod)',
  },
  'identity.municipality-code': {
    severity: 'warning',
    message: 'Organisation.municipalityCode should be 4 digits, leading zero kept (e.g. 0180)',
  },
  'identity.eppn': {
    severity: 'warning',
    message: 'Person.eduPersonPrincipalNames values should look like localId@domain',
  },
  // uniqueness across the input
  'unique.id': {severity: 'error', message: 'Duplicate {entity} id (first seen at {first})'},
  'unique.civic-no': {severity: 'error', message: 'Two persons share a civicNo (first at {first})'},
  'unique.class': {
    severity: 'error',
    message: 'A pupil is in two Klass groups at the same time (the other is at {first})',
    hint: 'A pupil belongs to exactly one Klass; end the old membership (endDate) before the new one starts.',
  },
  'unique.eppn': {severity: 'error', message: 'Two persons share an eduPersonPrincipalName (first at {first})'},
  // references
  'ref.unresolved': {
    severity: 'error',
    message: '{field} points to a {target} that is not in the input',
    hint: 'Add the {target}, or pass --allow-external-refs if it exists only in the target system.',
  },
  'ref.external': {
    severity: 'warning',
    message: '{field} points to a {target} that is not in the input (allowed by --allow-external-refs)',
  },
  'ref.wrong-type': {severity: 'error', message: '{field} must point to a {target}, but that id belongs to a {actual}'},
} as const satisfies Record<string, {severity: 'error' | 'warning'; message: string; hint?: string}>

export type IssueCode = keyof typeof CATALOG

export const ISSUE_CODES = Object.keys(CATALOG) as IssueCode[]

/** Fills a catalog text's `{placeholders}`; unknown placeholders are left visible so a missing parameter is noticed. */
export function fillTemplate(template: string, params: Record<string, string | number | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name]
    return value === undefined ? whole : String(value)
  })
}

/**
 * The message and hint of an issue code with its parameters, in `language` (by default the process's language, see
 * src/i18n/language.ts). A hint that ends up empty is dropped.
 */
export function renderIssueText(
  code: IssueCode,
  params: Record<string, string | number | undefined> = {},
  language: Language = currentLanguage(),
): {message: string; hint?: string} {
  const entry: {message: string; hint?: string} = language === 'sv' ? CATALOG_SV[code] : CATALOG[code]
  const message = fillTemplate(entry.message, params)
  const hint = entry.hint === undefined ? undefined : fillTemplate(entry.hint, params).trim()
  return hint && !/\{\w+\}/.test(hint) ? {message, hint} : {message}
}
