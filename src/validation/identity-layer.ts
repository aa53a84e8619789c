import type {IssueCode} from './catalog.js'
import {checkCivicNumber, checkMunicipalityCode, checkOrganisationNumber, checkSchoolUnitCode} from './identity.js'
import {type Issue, type RecordContext, recordIssue} from './issue.js'

type Json = Record<string, unknown>

const EPPN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/**
 * Swedish identity rules the standard leaves to implementers (SPEC-NOTES §2.3): civic numbers (personnummer,
 * samordningsnummer, temporary numbers), organisationsnummer, skolenhetskod, municipality codes and EPPN shape.
 * Runs on records whatever their schema result, looking only at values of the right JSON type.
 */
export function checkIdentityRules(value: Json, record: RecordContext): Issue[] {
  const issues: Issue[] = []
  const add: Add = (code, pointer, raw, params = {}) => issues.push(recordIssue(record, code, params, pointer, raw))
  if (record.entity === 'Person') checkPerson(value, add)
  if (record.entity === 'Organisation') checkOrganisation(value, add)
  return issues
}

type Add = (code: IssueCode, pointer: string, raw: unknown, params?: Record<string, string | undefined>) => void

function checkPerson(person: Json, add: Add): void {
  const civicNo = person.civicNo as Json | undefined
  const number = civicNo?.value
  const nationality = civicNo?.nationality
  // Foreign numbers follow their own country's rules (SPEC-NOTES §2.3): only Swedish ones are checked.
  if (typeof number === 'string' && (nationality === undefined || nationality === 'SE')) {
    const check = checkCivicNumber(number)
    if (!check.ok) {
      add(`identity.civic-no.${check.problem}`, '/civicNo/value', number, {suggestion: check.suggestion})
    } else if (typeof person.birthDate === 'string' && person.birthDate !== check.birthDate) {
      add('identity.civic-no.birth-date', '/birthDate', person.birthDate)
    }
  }
  const eppns = person.eduPersonPrincipalNames
  if (Array.isArray(eppns)) {
    eppns.forEach((eppn, index) => {
      if (typeof eppn === 'string' && !EPPN.test(eppn)) add('identity.eppn', `/eduPersonPrincipalNames/${index}`, eppn)
    })
  }
}

function checkOrganisation(organisation: Json, add: Add): void {
  const {organisationNumber, schoolUnitCode, municipalityCode} = organisation
  if (typeof organisationNumber === 'string') {
    const check = checkOrganisationNumber(organisationNumber)
    if (!check.ok) add(`identity.organisation-number.${check.problem}`, '/organisationNumber', organisationNumber)
  }
  if (typeof schoolUnitCode === 'string' && !checkSchoolUnitCode(schoolUnitCode).ok) {
    add('identity.school-unit-code', '/schoolUnitCode', schoolUnitCode)
  }
  if (typeof municipalityCode === 'string' && !checkMunicipalityCode(municipalityCode).ok) {
    add('identity.municipality-code', '/municipalityCode', municipalityCode)
  }
}

/** The value a record is identified by for uniqueness: Swedish civic numbers as written, trimmed. */
export function civicNumberKey(person: Json): string | undefined {
  const civicNo = person.civicNo as Json | undefined
  if (typeof civicNo?.value !== 'string' || civicNo.value.trim() === '') return undefined
  const nationality = typeof civicNo.nationality === 'string' ? civicNo.nationality : 'SE'
  // Swedish numbers (nearly all) are their own key; other countries' are qualified so they cannot collide with them.
  return nationality === 'SE' ? civicNo.value.trim() : `${nationality}:${civicNo.value.trim()}`
}
