import {describe, expect, it} from 'vitest'

import {renderRefusalCauses} from '../../../src/report/upload-text.js'
import {findRefusalCauses} from '../../../src/services/upload.js'
import type {EntityName} from '../../../src/schema/entity-names.js'
import {makeCivicNumber, maskCivicNumber} from '../../../src/validation/identity.js'

const CIVIC = makeCivicNumber('2011-04-07', 123)

const refusal = (entity: EntityName, id: string, reason = `${id} is refused`, httpStatus = 400) => ({
  entity,
  outcome: {id, status: 'refused' as const, httpStatus, reason},
})

describe('findRefusalCauses', () => {
  it('puts refusals under the refused record they refer to, through refused records, the most dependents first', () => {
    const refused = [
      refusal('Organisation', 'unit', `organisations[0]: organisationNumber of ${CIVIC} fails the check digit`),
      refusal('Person', 'p1', 'refers to Organisation unit, which does not exist'),
      refusal('Person', 'p2', 'refers to Organisation unit, which does not exist'),
      refusal('Group', 'g1', 'refers to Person p1, which does not exist'),
      refusal('Person', 'lone', '409 eduPersonPrincipalName in use'),
      refusal('Person', 'eve', 'refused on its own'),
      refusal('Group', 'g2', 'refers to Person eve, which does not exist'),
    ]
    const refersTo = new Map<string, string[]>([
      ['unit', ['huvudman']],
      ['p1', ['unit']],
      ['p2', ['unit', 'other-unit-that-was-taken']],
      ['g1', ['unit', 'p1']],
      ['lone', []],
      ['eve', ['taken-unit']],
      ['g2', ['eve']],
    ])
    const causes = findRefusalCauses(refused, refersTo, false)
    expect(causes).toEqual([
      {
        entity: 'Organisation',
        id: 'unit',
        httpStatus: 400,
        reason: `organisations[0]: organisationNumber of ${maskCivicNumber(CIVIC)} fails the check digit`,
        dependents: 3,
        byEntity: {Person: 2, Group: 1},
      },
      {entity: 'Person', id: 'eve', httpStatus: 400, reason: 'refused on its own', dependents: 1, byEntity: {Group: 1}},
    ])
    expect(findRefusalCauses(refused, refersTo, true)[0]!.reason).toContain(CIVIC)

    const text = renderRefusalCauses(causes)
    expect(text[0]).toBe('2 refused records are behind 4 other refusals:')
    expect(text[1]).toBe(
      `  ● Organisation unit refused (400: organisations[0]: organisationNumber of ${maskCivicNumber(CIVIC)} fails the check digit)`,
    )
    expect(text[2]).toBe('      3 refusals of records that refer to it depend on it (Person 2, Group 1)')
  })

  it('finds no cause when no refused record refers to another, and ends in a cycle of refusals', () => {
    expect(findRefusalCauses([refusal('Person', 'a'), refusal('Person', 'b')], new Map(), false)).toEqual([])
    expect(renderRefusalCauses([])).toEqual([])
    const cycle = findRefusalCauses(
      [refusal('Person', 'a'), refusal('Person', 'b'), refusal('Group', 'g')],
      new Map([
        ['a', ['b']],
        ['b', ['a']],
        ['g', ['a']],
      ]),
      false,
    )
    // The group depends on the cycle; the two in it depend on nothing but each other.
    expect(cycle).toMatchObject([{dependents: 1, byEntity: {Group: 1}}])
  })
})
