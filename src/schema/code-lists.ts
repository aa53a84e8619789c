/**
 * SS 12000 code lists, spelled exactly as the standard spells them. Where Skolverket's profile uses a newer, longer
 * list (SPEC-NOTES §2.5, "2.1?"), both lists are here and the profile picks one.
 */

export const SCHOOL_TYPES_2020 = [
  'FS',
  'FKLASS',
  'FTH',
  'OPPFTH',
  'GR',
  'GRS',
  'SP',
  'SAM',
  'GY',
  'GYS',
  'KOMVUX',
  'SARVUX',
  'SFI',
  'KU',
  'YH',
  'FHS',
  'STF',
  'KKU',
  'HS',
  'ABU',
  'AU',
] as const

/** Skolverket's 30-value list: drops KOMVUX, adds TR and the VUX and SARVUX school types. */
export const SCHOOL_TYPES_SKOLVERKET = [
  'FS',
  'FKLASS',
  'FTH',
  'OPPFTH',
  'GR',
  'GRS',
  'TR',
  'SP',
  'SAM',
  'GY',
  'GYS',
  'VUX',
  'VUXSFI',
  'VUXGR',
  'VUXGY',
  'VUXSARGR',
  'VUXSARTR',
  'VUXSARGY',
  'SFI',
  'SARVUX',
  'SARVUXGR',
  'SARVUXGY',
  'KU',
  'YH',
  'FHS',
  'STF',
  'KKU',
  'HS',
  'ABU',
  'AU',
] as const

export const ORGANISATION_TYPES_2020 = [
  'Huvudman',
  'Stadsdel',
  'Rektorsområde',
  'Skola',
  'Skolenhet',
  'Övrigt',
] as const

/** The 9-value list of the later clients and Skolverket's code (SPEC-NOTES §2.5). */
export const ORGANISATION_TYPES_SKOLVERKET = [
  'Huvudman',
  'Verksamhetsområde',
  'Förvaltning',
  'Rektorsområde',
  'Skola',
  'Skolenhet',
  'Varumärke',
  'Bolag',
  'Övrigt',
] as const

export const DUTY_ROLES_2020 = [
  'Rektor',
  'Lärare',
  'Förskollärare',
  'Övrig pedagogisk personal',
  'Förskolechef',
  'Annan personal',
] as const

export const DUTY_ROLES_SKOLVERKET = [
  'Rektor',
  'Lärare',
  'Förskollärare',
  'Barnskötare',
  'Bibliotekarie',
  'Lärarassistent',
  'Fritidspedagog',
  'Annan personal',
  'Studie- och yrkesvägledare',
  'Förstelärare',
  'Kurator',
  'Skolsköterska',
  'Skolläkare',
  'Skolpsykolog',
  'Speciallärare/specialpedagog',
  'Skoladministratör',
  'Övrig arbetsledning',
  'Övrig pedagogisk personal',
  'Förskolechef',
] as const

/** Code_ObjectType: what subscriptions, deletedEntities and log entries name. */
export const OBJECT_TYPES_2020 = [
  'Absence',
  'AttendanceEvent',
  'Attendance',
  'Grade',
  'CalendarEvent',
  'AttendanceSchedule',
  'Resource',
  'Room',
  'Activity',
  'Duty',
  'Placement',
  'StudyPlan',
  'Programme',
  'Syllabus',
  'SchoolUnitOffering',
  'Group',
  'Person',
  'Organisation',
] as const

/** Skolverket's profile only exposes five entity types. */
export const OBJECT_TYPES_SKOLVERKET = ['Activity', 'Duty', 'Group', 'Person', 'Organisation'] as const

export const GROUP_TYPES = [
  'Undervisning',
  'Klass',
  'Mentor',
  'Provgrupp',
  'Schema',
  'Avdelning',
  'Personalgrupp',
  'Övrigt',
] as const
export const ASSIGNMENT_ROLE_TYPES = [
  'Mentor',
  'Förskollärare',
  'Barnskötare',
  'Fritidspedagog',
  'Specialpedagog',
  'Elevhälsopersonal',
  'Pedagogisk ledare',
  'Schemaläggare',
] as const
export const RELATION_TYPES = ['Vårdnadshavare', 'Annan ansvarig', 'Annan behörig', 'God man', 'Förälder'] as const
export const SEXES = ['Man', 'Kvinna', 'Okänt'] as const
export const SECURITY_MARKINGS = ['Ingen', 'Sekretessmarkering', 'Skyddad folkbokföring'] as const
export const PERSON_STATUSES = ['Aktiv', 'Utvandrad', 'Avliden'] as const
export const EMAIL_TYPES = ['Privat', 'Skola elev', 'Skola personal', 'Arbete övrigt'] as const
export const PHONE_NUMBER_TYPES = ['Hem', 'Arbete'] as const
export const ADDRESS_TYPES = ['Folkbokföring', 'Särskildpostadress', 'Tillfälligadress', 'Postadress'] as const
export const CONTACT_INFO_TYPES = ['Support', 'Publik'] as const
export const PLACEMENT_SCHOOL_TYPES = ['FS', 'FTH', 'OPPFTH'] as const
export const PLACEMENT_REASONS = ['Omsorg', 'Erbjuden tid', 'Eget behov'] as const
/** `Intruduktionsprogram` is misspelled in the standard; it is the value on the wire. */
export const PROGRAMME_TYPES = [
  'Yrkesprogram',
  'Högskoleförberedande program',
  'Intruduktionsprogram',
  'Nationellt yrkespaket',
  'Regionalt yrkespaket',
  'Fjärde tekniskt år',
  'Programinriktning',
  'Utgång',
] as const
export const PROGRAMME_CONTENT_TYPES = [
  'Gymnasiegemensamma',
  'Programgemensamma',
  'Inriktning',
  'Programfördjupning',
  'Gymnasiearbete',
  'Individuellt val',
] as const
export const STUDY_PLAN_CONTENT_TYPES = [...PROGRAMME_CONTENT_TYPES, 'Borttagna', 'Utökade'] as const
export const STUDY_PLAN_NOTE_TYPES = [
  'Anteckningar',
  'Andra insatser som är gynnsamma för elevens kunskapsutveckling',
  'Elevens tidigare arbetslivserfarenhet och studier',
  'Validering av kunskaper och kompetenser',
  'Elevens mål med studierna',
] as const
export const CURRICULA = [
  'Lgy70',
  'Lgr80',
  'Lpo94',
  'Lpf94',
  'Lpfö98',
  'GR2000',
  'GY2000',
  'GYSÄR2000',
  'GYVUX2000',
  'GYVUX2001',
  'GYVUX2002',
  'GR2011',
  'GRSÄR2011',
  'SPEC2011',
  'SAM2011',
  'Lvux12',
  'GY2011',
  'GYSÄR2013',
  'VU2013',
] as const
export const ACTIVITY_TYPES = ['Undervisning', 'Elevaktivitet', 'Provaktivitet', 'Läraraktivitet', 'Övrigt'] as const
export const ATTENDANCE_EVENT_TYPES = ['In', 'Ut'] as const
export const ATTENDANCE_SCHEDULE_STATES = ['Godkänt', 'Begärt', 'Nekat'] as const
export const DAYS_OF_WEEK = ['Måndag', 'Tisdag', 'Onsdag', 'Torsdag', 'Fredag', 'Lördag', 'Söndag'] as const
export const ABSENCE_TYPES = ['Beviljad ledighet', 'Anmäld frånvaro'] as const
export const GRADE_CORRECTION_TYPES = ['Ändring', 'Rättelse'] as const
export const SEMESTERS = ['HT', 'VT'] as const
export const LOG_SEVERITY_LEVELS = ['Info', 'Warning', 'Error'] as const

export type SchoolType = (typeof SCHOOL_TYPES_2020)[number] | (typeof SCHOOL_TYPES_SKOLVERKET)[number]
export type OrganisationType = (typeof ORGANISATION_TYPES_2020)[number] | (typeof ORGANISATION_TYPES_SKOLVERKET)[number]
export type DutyRole = (typeof DUTY_ROLES_2020)[number] | (typeof DUTY_ROLES_SKOLVERKET)[number]
export type ObjectType = (typeof OBJECT_TYPES_2020)[number]

/** The code lists that differ between profiles. */
export interface ProfileCodeLists {
  schoolTypes: readonly SchoolType[]
  organisationTypes: readonly OrganisationType[]
  dutyRoles: readonly DutyRole[]
  objectTypes: readonly ObjectType[]
}
