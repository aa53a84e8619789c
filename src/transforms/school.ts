import type {SchoolType} from '../schema/code-lists.js'
import {referenceDateOf} from './calendar.js'
import {fail, ok, type TransformContext, type TransformResult} from './types.js'

/** What a class name says about its pupils' enrolment. */
export interface ClassYear {
  /** SS 12000 `Enrolment.schoolYear`, 0–10. */
  schoolYear: number
  /** The school type the name implies, when it implies one. */
  schoolType?: Extract<SchoolType, 'FKLASS' | 'GR' | 'GY'>
}

// The school year starts in August: an export made in June still describes the year that began the August before.
const SCHOOL_YEAR_START_MONTH = 8
// Gymnasium programmes are three years; the fourth technical year (TE4) makes four.
const GY_MAX_YEAR = 4

// A prefix some systems put before the name: `Klass 7A`, `Åk 7`, `År 7`, `Årskurs 7`.
const PREFIX = /^(?:KLASS|ÅRSKURS|ÅK|ÅR|AK)\.?\s*/
// `1-3A`, `F-3`, `4/5B`, `F–2`: several years taught together.
const MIXED = /^(?:F|\d{1,2})\s*[-–/]\s*\d{1,2}(?![0-9])/
// `F`, `FA`, `FK B`, `FSK`, `F-klass A`, `Förskoleklass`: förskoleklass with an optional section letter.
const FKLASS = /^(?:FÖRSKOLEKLASS|F[- ]?KLASS|FSK|FK|F)(?:\s*-?\s*[A-ZÅÄÖ]{1,2})?$/
// `7A`, `07 b`, `9`, `0A`: grundskola year and section.
const NUMBERED = /^(\d{1,2})\s*-?\s*[A-ZÅÄÖ]{0,3}$/
// `NA21b`, `TE22`, `EK 23 A`, `IMYRK24`: a gymnasium programme code and the two-digit start year.
const GYMNASIUM = /^([A-ZÅÄÖ]{2,5})\s*-?\s*(\d{2})(?:\s*-?\s*[A-ZÅÄÖ][A-ZÅÄÖ0-9]?)?$/

/**
 * School year (and type) from a class name, case-insensitively:
 * - förskoleklass: `F`, `FA`, `FKA`, `FSK`, `F-klass`, `Förskoleklass B`, `0A` → 0, `FKLASS`;
 * - grundskola: `7A`, `07 b`, `Klass 7A`, `Åk 7` → 7, `GR` (years 1–9); `10A` → 10 with no type (year 10 exists only
 *   in specialskolan, which a name cannot tell from grundskola, so the template's crosswalk says);
 * - gymnasium: `NA24`, `TE22b`, `EK 23 A` → `GY`, with the year counted from the start year in the name:
 *   year = reference school year − start year + 1, where the reference school year is the year of `ctx.referenceDate`
 *   if it is in August or later, else the year before (`NA24` on 2026-08-17 → 3; on 2026-06-01 → 2). The two digits
 *   are the latest start year not after the reference school year. A result outside 1–4 (the class has left, or
 *   starts later) is `transform.school-year.gy-range`.
 * - several years (`1-3A`, `F-3`, `4/5`) are `transform.school-year.mixed`, not the lowest year: that would be wrong
 *   for most of the class. Take the pupil's year from a column of its own.
 * Anything else is `transform.school-year.unknown`. An absent or blank value stays absent.
 * The type is a hint from the name only (grundsärskola classes are named like grundskola ones).
 * @throws RangeError if `ctx.referenceDate` is not a real date (a caller bug).
 */
export function schoolYearFromClass(
  value: string | undefined,
  ctx: TransformContext,
): TransformResult<ClassYear | undefined> {
  if (value === undefined || value.trim() === '') return ok(undefined)
  const name = value.trim().normalize('NFC').toUpperCase().replace(/\s+/g, ' ').replace(PREFIX, '')

  if (MIXED.test(name)) return fail('transform.school-year.mixed')
  if (FKLASS.test(name)) return ok({schoolYear: 0, schoolType: 'FKLASS'})

  const numbered = NUMBERED.exec(name)
  if (numbered) {
    const year = Number(numbered[1])
    if (year === 0) return ok({schoolYear: 0, schoolType: 'FKLASS'})
    if (year <= 9) return ok({schoolYear: year, schoolType: 'GR'})
    if (year === 10) return ok({schoolYear: 10})
    return fail('transform.school-year.unknown')
  }

  const gymnasium = GYMNASIUM.exec(name)
  if (gymnasium) {
    const reference = referenceDateOf(ctx)
    const schoolYearStart = reference.month >= SCHOOL_YEAR_START_MONTH ? reference.year : reference.year - 1
    const twoDigits = Number(gymnasium[2])
    const startYear = schoolYearStart - ((((schoolYearStart - twoDigits) % 100) + 100) % 100)
    const year = schoolYearStart - startYear + 1
    if (year > GY_MAX_YEAR) return fail('transform.school-year.gy-range')
    return ok({schoolYear: year, schoolType: 'GY'})
  }

  return fail('transform.school-year.unknown')
}
