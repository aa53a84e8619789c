import {
  DUTY_ROLES_2020,
  DUTY_ROLES_SKOLVERKET,
  OBJECT_TYPES_2020,
  OBJECT_TYPES_SKOLVERKET,
  ORGANISATION_TYPES_2020,
  ORGANISATION_TYPES_SKOLVERKET,
  type ProfileCodeLists,
  SCHOOL_TYPES_2020,
  SCHOOL_TYPES_SKOLVERKET,
} from './code-lists.js'

export const PROFILE_NAMES = ['ss12000-2020', 'skolverket'] as const
export type ProfileName = (typeof PROFILE_NAMES)[number]

/**
 * Payload: JSON we produce or send (read-only fields such as `meta` are optional).
 * Response: JSON an API answers with (read-only fields the standard requires must be there).
 */
export const MODES = ['payload', 'response'] as const
export type Mode = (typeof MODES)[number]

/** One way a profile departs from the TK450 model, applied to one named definition of the model. */
export interface ProfilePatch {
  /** A named definition of the model: an entity (`Person`) or a shared type (`Enrolment`, `Email`, `Meta`). */
  target: string
  /** Fields that become required. */
  require?: string[]
  /** Fields that stop being required. */
  unrequire?: string[]
  /** Fields that become required in response mode only (read-only fields). */
  requireInResponse?: string[]
  /** Minimum array lengths. */
  minItems?: Record<string, number>
  /** Fields required when another field has a given value. */
  requireWhen?: Array<{field: string; equals: string; require: string[]}>
  /** Why, in one sentence, with where it comes from. Shown in README's profile table. */
  reason: string
}

export interface ProfileDefinition {
  name: ProfileName
  title: string
  codeLists: ProfileCodeLists
  patches: ProfilePatch[]
}

export const SS12000_2020_PROFILE: ProfileDefinition = {
  name: 'ss12000-2020',
  title: 'SS 12000:2020 as the TK450 OpenAPI (2.0.0) defines it',
  codeLists: {
    schoolTypes: SCHOOL_TYPES_2020,
    organisationTypes: ORGANISATION_TYPES_2020,
    dutyRoles: DUTY_ROLES_2020,
    objectTypes: OBJECT_TYPES_2020,
  },
  patches: [],
}

/**
 * Skolverket's read profile (skolverket-ref-api-expose.yml, plus the JSON-schema rules of its reference
 * implementation that SPEC-NOTES §4 lists). Entities outside its scope keep the TK450 definition; fields it does not
 * model are still checked with their TK450 types (Skolverket drops them on ingest, but a wrong value is still wrong).
 */
export const SKOLVERKET_PROFILE: ProfileDefinition = {
  name: 'skolverket',
  title: "Skolverket's stricter read profile (DNP provisioning)",
  codeLists: {
    schoolTypes: SCHOOL_TYPES_SKOLVERKET,
    organisationTypes: ORGANISATION_TYPES_SKOLVERKET,
    dutyRoles: DUTY_ROLES_SKOLVERKET,
    objectTypes: OBJECT_TYPES_SKOLVERKET,
  },
  patches: [
    {
      target: 'Person',
      require: ['eduPersonPrincipalNames', 'civicNo'],
      minItems: {eduPersonPrincipalNames: 1},
      reason:
        'Person.required in the expose file lists eduPersonPrincipalNames and civicNo; DNP needs at least one EPPN.',
    },
    {
      target: 'Email',
      require: ['type'],
      reason: 'Email.required in the expose file lists type and value.',
    },
    {
      target: 'Organisation',
      require: ['schoolUnitCode'],
      unrequire: ['organisationType'],
      reason:
        'Organisation.required in the expose file is id, displayName, schoolUnitCode; it has no organisationType (the reference code defaults it to Skolenhet).',
    },
    {
      target: 'Group',
      require: ['schoolType'],
      unrequire: ['startDate'],
      requireInResponse: ['meta'],
      reason:
        'The reference JSON schema requires schoolType; Group.required in the expose file has meta and no startDate.',
    },
    {
      target: 'GroupMembership',
      require: ['person'],
      reason: 'GroupMembership.required in the expose file is person (memberships carry no dates there).',
    },
    {
      target: 'Duty',
      require: ['person'],
      unrequire: ['startDate'],
      reason: 'The reference JSON schema requires person; Duty has no startDate in the expose file.',
    },
    {
      target: 'Activity',
      require: ['activityType'],
      unrequire: ['calendarEventsRequired', 'startDate'],
      reason:
        'The reference JSON schema requires activityType; the expose file has no calendarEventsRequired or start dates. Its parentActivity requirement is not applied (SPEC-NOTES §6.10: it would refuse every top-level activity).',
    },
    {
      target: 'Enrolment',
      unrequire: ['startDate'],
      requireWhen: [
        {field: 'schoolType', equals: 'GY', require: ['educationCode']},
        {field: 'schoolType', equals: 'GR', require: ['schoolYear']},
      ],
      reason:
        'Enrolments have no start or end dates in the expose file; the reference code requires educationCode for GY and schoolYear for GR.',
    },
    {
      target: 'Meta',
      require: ['created', 'modified'],
      reason: 'Meta.required in the expose file lists created and modified.',
    },
  ],
}

export const PROFILES: Record<ProfileName, ProfileDefinition> = {
  'ss12000-2020': SS12000_2020_PROFILE,
  skolverket: SKOLVERKET_PROFILE,
}
