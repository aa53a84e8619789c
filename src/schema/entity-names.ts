/**
 * The 20 entity types of SS 12000:2020 and the names they go by: the API collection path, the key in
 * `deletedEntities` and in ingest bodies, and the spellings seen on the wire.
 */
export const ENTITY_NAMES = [
  'Organisation',
  'Person',
  'Placement',
  'Duty',
  'Group',
  'Programme',
  'StudyPlan',
  'Syllabus',
  'SchoolUnitOffering',
  'Activity',
  'CalendarEvent',
  'Attendance',
  'AttendanceEvent',
  'AttendanceSchedule',
  'Grade',
  'Absence',
  'AggregatedAttendance',
  'Resource',
  'Room',
  'Subscription',
] as const

export type EntityName = (typeof ENTITY_NAMES)[number]

interface EntityNaming {
  /** The collection path in the TK450 read API, without the slash. */
  collection: string
  /** The key under `deletedEntities.data` (and the plural used by ingest bodies), where the standard has one. */
  deletedKey?: string
  /** Other spellings accepted when reading: the [C] clients' paths and the spec's typos. */
  aliases: string[]
}

export const ENTITY_NAMING: Record<EntityName, EntityNaming> = {
  Organisation: {collection: 'organisations', deletedKey: 'organisations', aliases: []},
  Person: {collection: 'persons', deletedKey: 'persons', aliases: []},
  Placement: {collection: 'placements', deletedKey: 'placements', aliases: []},
  Duty: {collection: 'duties', deletedKey: 'duties', aliases: []},
  Group: {collection: 'groups', deletedKey: 'groups', aliases: []},
  Programme: {collection: 'programmes', deletedKey: 'programmes', aliases: []},
  StudyPlan: {collection: 'studyplans', deletedKey: 'studyPlans', aliases: []},
  Syllabus: {collection: 'syllabuses', deletedKey: 'syllabuses', aliases: []},
  SchoolUnitOffering: {collection: 'schoolUnitOfferings', deletedKey: 'schoolUnitOfferings', aliases: []},
  Activity: {collection: 'activities', deletedKey: 'activitites', aliases: ['activitites']},
  CalendarEvent: {collection: 'calendarEvents', deletedKey: 'calendarEvents', aliases: []},
  Attendance: {collection: 'attendances', deletedKey: 'attendances', aliases: []},
  AttendanceEvent: {collection: 'attendanceEvents', deletedKey: 'attendanceEvents', aliases: []},
  AttendanceSchedule: {
    collection: 'attendanceSchedule',
    deletedKey: 'attendanceSchedules',
    aliases: ['attendanceSchedules'],
  },
  Grade: {collection: 'grades', deletedKey: 'grades', aliases: []},
  Absence: {collection: 'absences', deletedKey: 'absences', aliases: []},
  AggregatedAttendance: {collection: 'aggregatedAttendance', aliases: ['aggregatedAttendances']},
  Resource: {collection: 'resources', deletedKey: 'resources', aliases: []},
  Room: {collection: 'rooms', deletedKey: 'rooms', aliases: []},
  Subscription: {collection: 'subscriptions', aliases: []},
}

const byLowerName = new Map<string, EntityName>()
for (const entity of ENTITY_NAMES) {
  const naming = ENTITY_NAMING[entity]
  for (const name of [entity, naming.collection, naming.deletedKey, ...naming.aliases]) {
    if (name !== undefined) byLowerName.set(name.toLowerCase(), entity)
  }
}

/**
 * The entity type a name stands for: an entity name (`Person`), a collection (`persons`), a deletedEntities or
 * ingest key (`studyPlans`) or a known misspelling (`activitites`). Case-insensitive. Undefined when unknown.
 */
export function entityFromName(name: string): EntityName | undefined {
  return byLowerName.get(name.toLowerCase())
}

/** Every name `entityFromName` accepts, for messages that list them. */
export function knownEntityNames(): string[] {
  return [...byLowerName.keys()]
}

/** The order to load entity types in so references mostly point backwards (the [S] upload order, extended). */
export const DEPENDENCY_ORDER: readonly EntityName[] = [
  'Organisation',
  'Person',
  'Syllabus',
  'Programme',
  'SchoolUnitOffering',
  'Group',
  'Duty',
  'Placement',
  'StudyPlan',
  'Room',
  'Resource',
  'Activity',
  'CalendarEvent',
  'Attendance',
  'AttendanceEvent',
  'AttendanceSchedule',
  'Grade',
  'Absence',
  'AggregatedAttendance',
  'Subscription',
]
