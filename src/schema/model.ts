import {type Static, type TObject, type TSchema, Type} from '@sinclair/typebox'

import * as codes from './code-lists.js'
import type {EntityName} from './entity-names.js'
import type {Mode, ProfileDefinition} from './profiles.js'

/**
 * The SS 12000:2020 model, written once. `buildModel` turns it into JSON Schemas for one profile and one mode; the
 * TypeScript types below are inferred from the same definitions.
 *
 * Conventions:
 * - every reference is an object `{id, displayName?}` annotated with `x-ss12000-ref: <EntityName>`, which the reference
 *   checks read, so the schema is also the one place that says what each reference points to;
 * - read-only fields (`meta`, server-assigned ids, `_embedded`) are optional in the definitions and listed in
 *   `requiredInResponse` where the standard requires them: required in response mode, optional in payload mode;
 * - every object is closed (`additionalProperties: false`); the validator reports unknown fields as warnings, not
 *   errors, because the standard does not forbid them.
 */

export const SCHEMA_BASE_URI = 'https://ss12000-toolkit.local/schema'
/** The annotation that names the entity type a reference object points to. */
export const REF_KEYWORD = 'x-ss12000-ref'

const uuid = () => Type.String({format: 'uuid'})
const date = () => Type.String({format: 'date'})
const dateTime = () => Type.String({format: 'date-time'})
const text = () => Type.String()
const int = () => Type.Integer()
const bool = () => Type.Boolean()
const oneOf = <const V extends readonly string[]>(values: V, options: Record<string, unknown> = {}) =>
  Type.Unsafe<V[number]>({type: 'string', enum: [...values], ...options})
const opt = Type.Optional
/** A read-only field: optional in the definition; `define` makes it required in response mode where listed. */
const readOnly = <T extends TSchema>(schema: T) => Type.Optional({...schema, readOnly: true} as T)
/** An embedded full entity (`_embedded`), by $ref to that entity's schema in the same profile and mode. */
const embedded = (name: EntityName | 'GroupFragment') => Type.Unsafe<Record<string, unknown>>(Type.Ref(`${name}.json`))

const ref = (target: EntityName) =>
  Type.Object({id: uuid(), displayName: readOnly(text())}, {[REF_KEYWORD]: target, additionalProperties: false})
/** PersonReference: the one reference that carries more than a name, the person's security marking. */
const personRef = () =>
  Type.Object(
    {id: uuid(), displayName: readOnly(text()), securityMarking: opt(oneOf(codes.SECURITY_MARKINGS))},
    {[REF_KEYWORD]: 'Person', additionalProperties: false},
  )

interface DefineOptions {
  /** Read-only fields the standard requires: required in response mode only. */
  requiredInResponse?: string[]
}

/** Applies the profile and the mode to each named definition as the model is built, and records it. */
class ModelBuilder {
  readonly definitions = new Map<string, TObject>()
  private readonly patchedTargets = new Set<string>()

  constructor(
    readonly profile: ProfileDefinition,
    readonly mode: Mode,
  ) {}

  define<T extends TObject>(name: string, schema: T, options: DefineOptions = {}): T {
    const required = new Set<string>(schema.required ?? [])
    if (this.mode === 'response') for (const field of options.requiredInResponse ?? []) required.add(field)
    const allOf: object[] = []
    for (const patch of this.profile.patches.filter((candidate) => candidate.target === name)) {
      this.patchedTargets.add(name)
      const known = (field: string) => {
        if (!(field in schema.properties))
          throw new Error(`profile ${this.profile.name}: ${name} has no field ${field}`)
        return field
      }
      for (const field of patch.require ?? []) required.add(known(field))
      for (const field of patch.unrequire ?? []) required.delete(known(field))
      if (this.mode === 'response') for (const field of patch.requireInResponse ?? []) required.add(known(field))
      for (const [field, minItems] of Object.entries(patch.minItems ?? {})) {
        const properties = schema.properties as Record<string, TSchema>
        properties[known(field)] = {...properties[field], minItems} as TSchema
      }
      for (const rule of patch.requireWhen ?? []) {
        allOf.push({
          if: {properties: {[known(rule.field)]: {const: rule.equals}}, required: [rule.field]},
          // Listing the fields under `properties` too keeps ajv's strictRequired check satisfied.
          then: {properties: Object.fromEntries(rule.require.map((f) => [known(f), true])), required: rule.require},
        })
      }
    }
    const target = schema as TObject & {required?: string[]; allOf?: object[]}
    if (required.size > 0) target.required = [...required]
    else delete target.required
    if (allOf.length > 0) target.allOf = allOf
    target.additionalProperties = false
    target.title = name
    this.definitions.set(name, schema)
    return schema
  }

  /** Every patch of the profile must have hit a definition, or the profile names something that does not exist. */
  assertPatchesApplied(): void {
    for (const patch of this.profile.patches) {
      if (!this.patchedTargets.has(patch.target)) {
        throw new Error(`profile ${this.profile.name}: no definition named ${patch.target}`)
      }
    }
  }
}

function defineModel(b: ModelBuilder) {
  const lists = b.profile.codeLists
  const schoolType = () => oneOf(lists.schoolTypes)

  // --- shared types -------------------------------------------------------------------------------------------------
  const Meta = b.define('Meta', Type.Object({created: opt(dateTime()), modified: opt(dateTime())}))
  const meta = () => readOnly(Meta)
  const CivicNo = b.define(
    'CivicNo',
    Type.Object({value: text(), nationality: opt(Type.String({default: 'SE'}))}, {description: 'personnummer'}),
  )
  const ExternalIdentifier = b.define(
    'ExternalIdentifier',
    Type.Object({value: text(), context: text(), globallyUnique: bool()}),
  )
  const Email = b.define(
    'Email',
    Type.Object({value: Type.String({format: 'email'}), type: opt(oneOf(codes.EMAIL_TYPES))}),
  )
  // The standard's item lists `number` as required, a property it does not have; `value` is meant (README: defects).
  const PhoneNumber = b.define(
    'PhoneNumber',
    Type.Object({
      value: text(),
      type: opt(oneOf(codes.PHONE_NUMBER_TYPES)),
      mobile: opt(Type.Boolean({default: true})),
    }),
  )
  const Address = b.define(
    'Address',
    Type.Object({
      type: opt(oneOf(codes.ADDRESS_TYPES, {default: 'Folkbokföring'})),
      streetAddress: opt(text()),
      locality: opt(text()),
      postalCode: opt(text()),
      countyCode: opt(int()),
      municipalityCode: opt(int()),
      realEstateDesignation: opt(text()),
      country: opt(text()),
    }),
  )
  const Enrolment = b.define(
    'Enrolment',
    Type.Object({
      enroledAt: ref('Organisation'),
      schoolYear: opt(Type.Integer({minimum: 0, maximum: 10})),
      schoolType: schoolType(),
      startDate: date(),
      endDate: opt(date()),
      cancelled: opt(bool()),
      educationCode: opt(text()),
      programme: opt(ref('Programme')),
      specification: opt(text()),
    }),
  )
  const Responsible = b.define(
    'Responsible',
    Type.Object({person: opt(personRef()), relationType: opt(oneOf(codes.RELATION_TYPES))}),
  )
  const ContactInfo = b.define(
    'ContactInfo',
    Type.Object({infoType: opt(oneOf(codes.CONTACT_INFO_TYPES)), info: opt(text())}),
  )
  const GroupMembership = b.define(
    'GroupMembership',
    Type.Object({person: opt(personRef()), startDate: opt(date()), endDate: opt(date())}),
  )
  const AssignmentRole = b.define(
    'AssignmentRole',
    Type.Object({
      group: ref('Group'),
      assignmentRoleType: oneOf(codes.ASSIGNMENT_ROLE_TYPES),
      startDate: date(),
      endDate: opt(date()),
    }),
  )
  const DutyAssignment = b.define(
    'DutyAssignment',
    Type.Object({
      duty: ref('Duty'),
      startDate: opt(date()),
      endDate: opt(date()),
      minutesPlanned: opt(int()),
      grader: opt(bool()),
    }),
  )
  const CourseContent = (name: string) =>
    b.define(
      name,
      Type.Object({title: text(), description: text(), titleEngish: opt(text()), descriptionEnglish: opt(text())}),
    )

  const groupFragmentProperties = () => ({
    id: uuid(),
    meta: meta(),
    displayName: text(),
    startDate: date(),
    endDate: opt(date()),
    groupType: oneOf(codes.GROUP_TYPES),
    schoolType: opt(schoolType()),
    organisation: ref('Organisation'),
  })

  // --- entities -----------------------------------------------------------------------------------------------------
  const Organisation = b.define(
    'Organisation',
    Type.Object({
      id: uuid(),
      meta: meta(),
      displayName: text(),
      organisationCode: opt(text()),
      organisationType: oneOf(lists.organisationTypes),
      organisationNumber: opt(text()),
      parentOrganisation: opt(ref('Organisation')),
      schoolUnitCode: opt(text()),
      schoolTypes: opt(Type.Array(schoolType(), {uniqueItems: true})),
      municipalityCode: opt(text()),
      url: opt(Type.String({format: 'uri'})),
      email: opt(Type.String({format: 'email'})),
      phoneNumber: opt(text()),
      contactInfo: opt(Type.Array(ContactInfo)),
      startDate: opt(date()),
      endDate: opt(date()),
    }),
    {requiredInResponse: ['meta']},
  )

  const Person = b.define(
    'Person',
    Type.Object({
      id: uuid(),
      meta: meta(),
      givenName: text(),
      middleName: opt(text()),
      familyName: text(),
      eduPersonPrincipalNames: opt(Type.Array(text(), {uniqueItems: true})),
      externalIdentifiers: opt(Type.Array(ExternalIdentifier)),
      civicNo: opt(CivicNo),
      birthDate: opt(date()),
      sex: opt(oneOf(codes.SEXES)),
      securityMarking: opt(oneOf(codes.SECURITY_MARKINGS)),
      personStatus: opt(oneOf(codes.PERSON_STATUSES, {default: 'Aktiv'})),
      emails: opt(Type.Array(Email)),
      phoneNumbers: opt(Type.Array(PhoneNumber)),
      addresses: opt(Type.Array(Address)),
      photo: opt(Type.String({format: 'uri'})),
      enrolments: opt(Type.Array(Enrolment)),
      responsibles: opt(Type.Array(Responsible)),
      _embedded: readOnly(
        b.define(
          'PersonEmbedded',
          Type.Object({
            responsibleFor: opt(Type.Array(Responsible)),
            placements: opt(Type.Array(embedded('Placement'))),
            ownedPlacements: opt(Type.Array(embedded('Placement'))),
            duties: opt(Type.Array(embedded('Duty'))),
            groupMemberships: opt(
              Type.Array(
                b.define(
                  'EmbeddedGroupMembership',
                  Type.Object({group: opt(embedded('GroupFragment')), startDate: opt(date()), endDate: opt(date())}),
                ),
              ),
            ),
          }),
        ),
      ),
    }),
  )

  const Placement = b.define(
    'Placement',
    Type.Object({
      id: uuid(),
      meta: meta(),
      placedAt: ref('Organisation'),
      group: opt(ref('Group')),
      child: personRef(),
      owners: opt(Type.Array(personRef())),
      schoolType: opt(oneOf(codes.PLACEMENT_SCHOOL_TYPES)),
      startDate: date(),
      endDate: opt(date()),
      reason: opt(oneOf(codes.PLACEMENT_REASONS)),
      maxWeeklyScheduleHours: opt(int()),
      _embedded: readOnly(
        b.define(
          'PlacementEmbedded',
          Type.Object({child: opt(embedded('Person')), owners: opt(Type.Array(embedded('Person')))}),
        ),
      ),
    }),
  )

  const Duty = b.define(
    'Duty',
    Type.Object({
      id: uuid(),
      meta: meta(),
      person: opt(personRef()),
      assignmentRole: opt(Type.Array(AssignmentRole)),
      dutyAt: ref('Organisation'),
      dutyRole: oneOf(lists.dutyRoles),
      signature: opt(text()),
      dutyPercent: opt(int()),
      hoursPerYear: opt(int()),
      startDate: date(),
      endDate: opt(date()),
      _embedded: readOnly(b.define('DutyEmbedded', Type.Object({person: opt(embedded('Person'))}))),
    }),
  )

  const GroupFragment = b.define('GroupFragment', Type.Object(groupFragmentProperties()))
  const Group = b.define(
    'Group',
    Type.Object({
      ...groupFragmentProperties(),
      groupMemberships: opt(Type.Array(GroupMembership)),
      _embedded: readOnly(
        b.define(
          'GroupEmbedded',
          Type.Object({
            assignmentRoles: opt(
              Type.Array(
                b.define(
                  'EmbeddedAssignmentRole',
                  Type.Object({
                    duty: opt(ref('Duty')),
                    assignmentRoleType: opt(oneOf(codes.ASSIGNMENT_ROLE_TYPES)),
                    startDate: opt(date()),
                    endDate: opt(date()),
                  }),
                ),
              ),
            ),
          }),
        ),
      ),
    }),
  )

  const Programme = b.define(
    'Programme',
    Type.Object({
      id: opt(uuid()),
      meta: meta(),
      name: text(),
      type: opt(oneOf(codes.PROGRAMME_TYPES)),
      parentProgramme: opt(ref('Programme')),
      schoolType: schoolType(),
      code: opt(text()),
      content: opt(
        Type.Array(
          b.define(
            'ProgrammeContent',
            Type.Object({
              type: oneOf(codes.PROGRAMME_CONTENT_TYPES),
              points: opt(int()),
              content: Type.Array(ref('Syllabus')),
            }),
          ),
        ),
      ),
    }),
  )

  const StudyPlan = b.define(
    'StudyPlan',
    Type.Object({
      id: uuid(),
      student: personRef(),
      meta: meta(),
      content: opt(
        Type.Array(
          b.define(
            'StudyPlanContent',
            Type.Object({
              title: opt(text()),
              type: opt(oneOf(codes.STUDY_PLAN_CONTENT_TYPES)),
              points: opt(int()),
              syllabuses: Type.Array(
                b.define(
                  'StudyPlanSyllabus',
                  Type.Object({
                    syllabus: ref('Syllabus'),
                    note: opt(text()),
                    startDate: opt(date()),
                    endDate: opt(date()),
                    hours: opt(int()),
                  }),
                ),
              ),
            }),
          ),
        ),
      ),
      notes: opt(
        Type.Array(
          b.define('StudyPlanNote', Type.Object({type: opt(oneOf(codes.STUDY_PLAN_NOTE_TYPES)), note: opt(text())})),
        ),
      ),
      startDate: date(),
      endDate: opt(date()),
    }),
  )

  const Syllabus = b.define(
    'Syllabus',
    Type.Object({
      id: uuid(),
      meta: meta(),
      schoolType: schoolType(),
      subjectCode: text(),
      subjectName: text(),
      subjectDesignation: opt(text()),
      courseCode: opt(text()),
      courseName: opt(text()),
      startSchoolYear: opt(Type.Integer({minimum: 0, maximum: 10})),
      endSchoolYear: opt(Type.Integer({minimum: 0, maximum: 10})),
      points: opt(int()),
      curriculum: opt(oneOf(codes.CURRICULA)),
      languageCode: opt(text()),
      specialisationCourseContent: opt(CourseContent('SpecialisationCourseContent')),
      official: bool(),
    }),
  )

  // The standard gives SchoolUnitOffering no id or meta, yet has /schoolUnitOfferings/{id} and lists their ids in
  // deletedEntities; both are accepted here, optional (README: defects).
  const SchoolUnitOffering = b.define(
    'SchoolUnitOffering',
    Type.Object({
      id: opt(uuid()),
      meta: meta(),
      startDate: opt(date()),
      endDate: opt(date()),
      offeredAt: ref('Organisation'),
      offeredSyllabuses: Type.Array(ref('Syllabus')),
      offeredProgrammes: opt(Type.Array(ref('Programme'))),
    }),
  )

  const Activity = b.define(
    'Activity',
    Type.Object({
      id: uuid(),
      meta: meta(),
      displayName: text(),
      calendarEventsRequired: bool(),
      startDate: date(),
      endDate: opt(date()),
      activityType: opt(oneOf(codes.ACTIVITY_TYPES)),
      comment: opt(text()),
      minutesPlanned: opt(int()),
      groups: Type.Array(ref('Group'), {minItems: 1}),
      teachers: opt(Type.Array(DutyAssignment)),
      syllabus: opt(ref('Syllabus')),
      organisation: ref('Organisation'),
      parentActivity: opt(ref('Activity')),
      _embedded: readOnly(
        b.define(
          'ActivityEmbedded',
          Type.Object({
            groups: opt(Type.Array(embedded('Group'))),
            syllabus: opt(embedded('Syllabus')),
            teachers: opt(Type.Array(embedded('Duty'))),
          }),
        ),
      ),
    }),
  )

  // Who the exception is about: a student (StudentException) or a teacher's duty (TeacherException).
  const exceptionProperties = () => ({
    participates: bool(),
    startTime: opt(dateTime()),
    endTime: opt(dateTime()),
    teachingLength: opt(int()),
  })
  const StudentException = b.define('StudentException', Type.Object({student: personRef(), ...exceptionProperties()}))
  const TeacherException = b.define('TeacherException', Type.Object({duty: ref('Duty'), ...exceptionProperties()}))
  const CalendarEvent = b.define(
    'CalendarEvent',
    Type.Object({
      id: uuid(),
      meta: meta(),
      activity: ref('Activity'),
      startTime: dateTime(),
      endTime: dateTime(),
      cancelled: opt(bool()),
      teachingLengthTeacher: opt(int()),
      teachingLengthStudent: opt(int()),
      comment: opt(text()),
      studentExceptions: opt(Type.Array(StudentException)),
      teacherExceptions: opt(Type.Array(TeacherException)),
      rooms: opt(Type.Array(ref('Room'))),
      resources: opt(Type.Array(ref('Resource'))),
      _embedded: readOnly(
        b.define(
          'CalendarEventEmbedded',
          Type.Object({activity: opt(embedded('Activity')), attendance: opt(Type.Array(embedded('Attendance')))}),
        ),
      ),
    }),
    {requiredInResponse: ['meta']},
  )

  const Attendance = b.define(
    'Attendance',
    Type.Object({
      id: readOnly(uuid()),
      meta: meta(),
      calendarEvent: ref('CalendarEvent'),
      student: personRef(),
      reporter: opt(personRef()),
      isReported: bool(),
      attendanceMinutes: int(),
      validAbsenceMinutes: opt(int()),
      invalidAbsenceMinutes: opt(int()),
      otherAttendanceMinutes: opt(int()),
      absenceReason: opt(text()),
      reportedTimestamp: opt(dateTime()),
    }),
    {requiredInResponse: ['id', 'meta']},
  )

  // The standard's required list names `child`; the property is `person` (README: defects).
  const AttendanceEvent = b.define(
    'AttendanceEvent',
    Type.Object({
      id: readOnly(uuid()),
      meta: meta(),
      time: dateTime(),
      eventType: oneOf(codes.ATTENDANCE_EVENT_TYPES),
      person: personRef(),
      registeredBy: opt(personRef()),
      group: ref('Group'),
      _embedded: readOnly(
        b.define(
          'AttendanceEventEmbedded',
          Type.Object({
            registeredBy: opt(embedded('Person')),
            person: opt(embedded('Person')),
            group: opt(embedded('GroupFragment')),
          }),
        ),
      ),
    }),
    {requiredInResponse: ['id', 'meta']},
  )

  // The standard's required list names `scheduleDays`; the property is `scheduleEntries` (README: defects).
  const AttendanceSchedule = b.define(
    'AttendanceSchedule',
    Type.Object({
      id: readOnly(uuid()),
      meta: meta(),
      placement: ref('Placement'),
      numberOfWeeks: opt(int()),
      startDate: date(),
      endDate: opt(date()),
      temporary: opt(Type.Boolean({default: false})),
      state: Type.Array(
        b.define(
          'AttendanceScheduleState',
          Type.Object({
            state: oneOf(codes.ATTENDANCE_SCHEDULE_STATES),
            registeredAt: dateTime(),
            comment: opt(text()),
            registeredBy: opt(personRef()),
          }),
        ),
      ),
      scheduleEntries: Type.Array(
        b.define(
          'AttendanceScheduleEntry',
          Type.Object({
            weekOffset: opt(int()),
            dayOfWeek: opt(oneOf(codes.DAYS_OF_WEEK)),
            // The standard puts this regex in `format`; it is a pattern (README: defects).
            startTime: opt(Type.String({pattern: '^[0-9]{2}:[0-9]{2}$'})),
            length: opt(int()),
          }),
        ),
      ),
    }),
    {requiredInResponse: ['id', 'meta']},
  )

  const Grade = b.define(
    'Grade',
    Type.Object({
      id: uuid(),
      meta: meta(),
      student: personRef(),
      organisation: opt(ref('Organisation')),
      registeredBy: opt(personRef()),
      gradingTeacher: opt(personRef()),
      group: opt(ref('Group')),
      registeredDate: date(),
      gradeValue: text(),
      finalGrade: bool(),
      trial: opt(Type.Boolean({default: false})),
      adaptedStudyPlan: text(),
      remark: opt(text()),
      converted: opt(Type.Boolean({default: false})),
      correctionType: opt(oneOf(codes.GRADE_CORRECTION_TYPES)),
      semester: opt(oneOf(codes.SEMESTERS)),
      year: opt(int()),
      syllabus: ref('Syllabus'),
      diplomaProject: opt(CourseContent('DiplomaProject')),
    }),
  )

  const Absence = b.define(
    'Absence',
    Type.Object({
      id: readOnly(uuid()),
      meta: meta(),
      startTime: dateTime(),
      endTime: dateTime(),
      type: oneOf(codes.ABSENCE_TYPES),
      student: personRef(),
      organisation: opt(ref('Organisation')),
      registeredBy: opt(personRef()),
    }),
    {requiredInResponse: ['id', 'meta']},
  )

  const AggregatedAttendance = b.define(
    'AggregatedAttendance',
    Type.Object({
      activity: ref('Activity'),
      student: personRef(),
      startDate: date(),
      endDate: date(),
      attendanceSum: int(),
      validAbsenceSum: opt(int()),
      invalidAbsenceSum: opt(int()),
      otherAttendanceSum: opt(int()),
      reportedSum: opt(int()),
      offeredSum: opt(int()),
      _embedded: readOnly(
        b.define(
          'AggregatedAttendanceEmbedded',
          Type.Object({activity: opt(embedded('Activity')), student: opt(embedded('Person'))}),
        ),
      ),
    }),
  )

  const Resource = b.define(
    'Resource',
    Type.Object({
      id: uuid(),
      meta: meta(),
      displayName: text(),
      description: opt(text()),
      owner: ref('Organisation'),
    }),
    {requiredInResponse: ['meta']},
  )

  const Room = b.define(
    'Room',
    Type.Object({id: uuid(), meta: meta(), displayName: text(), seats: opt(int()), owner: ref('Organisation')}),
    {requiredInResponse: ['meta']},
  )

  const subscriptionProperties = () => ({
    name: text(),
    target: text(),
    resourceTypes: Type.Array(
      b.define('SubscriptionResourceType', Type.Object({resource: opt(oneOf(lists.objectTypes))})),
    ),
  })
  const CreateSubscription = b.define('CreateSubscription', Type.Object(subscriptionProperties()))
  // id and expires are assigned by the server: required in responses, absent from the create body.
  const Subscription = b.define(
    'Subscription',
    Type.Object({id: readOnly(uuid()), expires: readOnly(dateTime()), ...subscriptionProperties()}),
    {requiredInResponse: ['id', 'expires']},
  )

  // --- API documents ------------------------------------------------------------------------------------------------
  const uuidList = () => opt(Type.Array(uuid()))
  const DeletedEntities = b.define(
    'DeletedEntities',
    Type.Object({
      data: b.define(
        'DeletedEntitiesData',
        Type.Object({
          absences: uuidList(),
          attendanceEvents: uuidList(),
          attendances: uuidList(),
          grades: uuidList(),
          calendarEvents: uuidList(),
          attendanceSchedules: uuidList(),
          resources: uuidList(),
          rooms: uuidList(),
          activitites: uuidList(),
          // Skolverket's code emits the correct spelling; accept both (SPEC-NOTES §1, DeletedEntities).
          activities: uuidList(),
          duties: uuidList(),
          placements: uuidList(),
          studyPlans: uuidList(),
          programmes: uuidList(),
          syllabuses: uuidList(),
          schoolUnitOfferings: uuidList(),
          groups: uuidList(),
          persons: uuidList(),
          organisations: uuidList(),
        }),
      ),
      pageToken: opt(Type.Unsafe<string | null>({type: ['string', 'null']})),
    }),
  )
  const LogEntry = b.define(
    'LogEntry',
    Type.Object({
      message: text(),
      messageType: opt(text()),
      resourceType: opt(oneOf(lists.objectTypes)),
      resourceId: opt(uuid()),
      resourceUrl: opt(Type.String({format: 'uri'})),
      severityLevel: oneOf(codes.LOG_SEVERITY_LEVELS),
      timeOfOccurance: opt(dateTime()),
    }),
  )
  const StatisticsEntry = b.define(
    'StatisticsEntry',
    Type.Object({
      resourceType: oneOf(lists.objectTypes),
      newCount: int(),
      updatedCount: int(),
      deletedCount: int(),
      resourceUrl: opt(Type.String({format: 'uri'})),
      timeOfOccurance: opt(dateTime()),
    }),
  )
  const ErrorBody = b.define('Error', Type.Object({code: text(), message: text()}))
  const IdLookup = b.define('IdLookup', Type.Object({ids: opt(Type.Array(uuid()))}))

  return {
    entities: {
      Organisation,
      Person,
      Placement,
      Duty,
      Group,
      Programme,
      StudyPlan,
      Syllabus,
      SchoolUnitOffering,
      Activity,
      CalendarEvent,
      Attendance,
      AttendanceEvent,
      AttendanceSchedule,
      Grade,
      Absence,
      AggregatedAttendance,
      Resource,
      Room,
      Subscription,
    },
    types: {
      Meta,
      CivicNo,
      ExternalIdentifier,
      Email,
      PhoneNumber,
      Address,
      Enrolment,
      Responsible,
      ContactInfo,
      GroupMembership,
      GroupFragment,
      AssignmentRole,
      DutyAssignment,
      CreateSubscription,
      DeletedEntities,
      LogEntry,
      StatisticsEntry,
      Error: ErrorBody,
      IdLookup,
      ObjectReference: b.define('ObjectReference', Type.Object({id: uuid(), displayName: readOnly(text())})),
    },
  }
}

type Definitions = ReturnType<typeof defineModel>

export interface Model {
  profile: ProfileDefinition
  mode: Mode
  /** One JSON Schema per entity type, each with an `$id` in this profile and mode. */
  entities: Record<EntityName, TObject>
  /** Shared types and API documents, by name. */
  types: Definitions['types']
  /** Every named definition (entities, shared types, nested objects) by name, as built. */
  definitions: ReadonlyMap<string, TObject>
}

/** The `$id` of a schema in a profile and mode: relative `$ref`s between entities resolve within the same variant. */
export function schemaId(profile: string, mode: Mode, name: string): string {
  return `${SCHEMA_BASE_URI}/${profile}/${mode}/${name}.json`
}

/** Builds the JSON Schemas of the whole model for one profile and mode. Pure; call it once per variant. */
export function buildModel(profile: ProfileDefinition, mode: Mode): Model {
  const builder = new ModelBuilder(profile, mode)
  const built = defineModel(builder)
  builder.assertPatchesApplied()
  for (const [name, schema] of Object.entries(built.entities)) {
    ;(schema as TObject & {$id?: string}).$id = schemaId(profile.name, mode, name)
  }
  ;(built.types.GroupFragment as TObject & {$id?: string}).$id = schemaId(profile.name, mode, 'GroupFragment')
  return {profile, mode, entities: built.entities, types: built.types, definitions: builder.definitions}
}

// --- TypeScript types, inferred from the same definitions (payload shape: read-only fields optional) --------------
export type Organisation = Static<Definitions['entities']['Organisation']>
export type Person = Static<Definitions['entities']['Person']>
export type Placement = Static<Definitions['entities']['Placement']>
export type Duty = Static<Definitions['entities']['Duty']>
export type Group = Static<Definitions['entities']['Group']>
export type Programme = Static<Definitions['entities']['Programme']>
export type StudyPlan = Static<Definitions['entities']['StudyPlan']>
export type Syllabus = Static<Definitions['entities']['Syllabus']>
export type SchoolUnitOffering = Static<Definitions['entities']['SchoolUnitOffering']>
export type Activity = Static<Definitions['entities']['Activity']>
export type CalendarEvent = Static<Definitions['entities']['CalendarEvent']>
export type Attendance = Static<Definitions['entities']['Attendance']>
export type AttendanceEvent = Static<Definitions['entities']['AttendanceEvent']>
export type AttendanceSchedule = Static<Definitions['entities']['AttendanceSchedule']>
export type Grade = Static<Definitions['entities']['Grade']>
export type Absence = Static<Definitions['entities']['Absence']>
export type AggregatedAttendance = Static<Definitions['entities']['AggregatedAttendance']>
export type Resource = Static<Definitions['entities']['Resource']>
export type Room = Static<Definitions['entities']['Room']>
export type Subscription = Static<Definitions['entities']['Subscription']>
export type Meta = Static<Definitions['types']['Meta']>
export type Enrolment = Static<Definitions['types']['Enrolment']>
export type DeletedEntities = Static<Definitions['types']['DeletedEntities']>

/** Any SS 12000 entity, by type name. */
export interface EntityTypes {
  Organisation: Organisation
  Person: Person
  Placement: Placement
  Duty: Duty
  Group: Group
  Programme: Programme
  StudyPlan: StudyPlan
  Syllabus: Syllabus
  SchoolUnitOffering: SchoolUnitOffering
  Activity: Activity
  CalendarEvent: CalendarEvent
  Attendance: Attendance
  AttendanceEvent: AttendanceEvent
  AttendanceSchedule: AttendanceSchedule
  Grade: Grade
  Absence: Absence
  AggregatedAttendance: AggregatedAttendance
  Resource: Resource
  Room: Room
  Subscription: Subscription
}
