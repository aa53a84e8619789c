/**
 * Every user-facing message of the validation layers, keyed by issue code, so that messages can be translated and
 * grouped. Placeholders in braces are filled by `renderIssueText`. Messages hold no per-record values (those go in
 * Issue.value), so that identical problems group together.
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

/** The message and hint of an issue code with its parameters. A hint that ends up empty is dropped. */
export function renderIssueText(
  code: IssueCode,
  params: Record<string, string | number | undefined> = {},
): {message: string; hint?: string} {
  const entry: {message: string; hint?: string} = CATALOG[code]
  const message = fillTemplate(entry.message, params)
  const hint = entry.hint === undefined ? undefined : fillTemplate(entry.hint, params).trim()
  return hint && !/\{\w+\}/.test(hint) ? {message, hint} : {message}
}
