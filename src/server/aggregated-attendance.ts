import type {StagingDatabase} from '../staging/database.js'
import {organisationTree} from './filters.js'
import type {ServedRecord} from './store.js'

export interface AggregatedAttendanceQuery {
  scope: string
  /** The window, inclusive, as dates: the calendar events that start on these days (their local date). */
  startDate: string
  endDate: string
  /** Only activities of these organisations or below them. */
  organisation?: string
  /** Only activities with a group of one of these school types. */
  schoolTypes?: string[]
  students?: string[]
  /** Keyset: the rows after this key (`<student id>/<activity id>`). */
  after?: string
  limit?: number
}

/** A calendar event's length for the student in minutes: `teachingLengthStudent`, or from its start and end. */
const LENGTH = `COALESCE(json_extract(ev.json, '$.teachingLengthStudent'),
  CAST(round((julianday(json_extract(ev.json, '$.endTime')) - julianday(json_extract(ev.json, '$.startTime'))) * 1440) AS INTEGER))`

/**
 * `/aggregatedAttendance`: the standard computes it from attendance; so does this. One row per student and activity,
 * summing the student's Attendance records on the activity's calendar events that start in the window:
 * `attendanceSum` (attendanceMinutes), `validAbsenceSum`, `invalidAbsenceSum`, `otherAttendanceSum` (their minutes),
 * `reportedSum` (the length of the events whose attendance is reported) and `offeredSum` (the length of every such
 * event). Keyset pages in (student, activity) order, straight from SQLite.
 */
export function* aggregatedAttendance(db: StagingDatabase, query: AggregatedAttendanceQuery): Generator<ServedRecord> {
  const where = [
    "a.scope = ? AND a.entity = 'Attendance'",
    "substr(json_extract(ev.json, '$.startTime'), 1, 10) BETWEEN ? AND ?",
  ]
  const params: unknown[] = [query.scope, query.startDate, query.endDate]
  if (query.students !== undefined) {
    where.push(`json_extract(a.json, '$.student.id') IN (SELECT value FROM json_each(?))`)
    params.push(JSON.stringify(query.students))
  }
  if (query.organisation !== undefined) {
    where.push(`json_extract(ev.json, '$.activity.id') IN (
      SELECT act.id FROM current_record act WHERE act.scope = a.scope AND act.entity = 'Activity'
        AND json_extract(act.json, '$.organisation.id') IN (${organisationTree(1)}))`)
    params.push(query.organisation, query.scope)
  }
  if (query.schoolTypes !== undefined) {
    where.push(`json_extract(ev.json, '$.activity.id') IN (
      SELECT act.id FROM current_record act, json_each(act.json, '$.groups') g
      JOIN current_record gr ON gr.scope = act.scope AND gr.entity = 'Group' AND gr.id = json_extract(g.value, '$.id')
      WHERE act.scope = a.scope AND act.entity = 'Activity'
        AND json_extract(gr.json, '$.schoolType') IN (SELECT value FROM json_each(?)))`)
    params.push(JSON.stringify(query.schoolTypes))
  }
  const sql = `SELECT key, student, activity, attendanceSum, validAbsenceSum, invalidAbsenceSum, otherAttendanceSum,
      reportedSum, offeredSum FROM (
    SELECT json_extract(a.json, '$.student.id') || '/' || json_extract(ev.json, '$.activity.id') AS key,
      json_extract(a.json, '$.student.id') AS student, json_extract(ev.json, '$.activity.id') AS activity,
      SUM(json_extract(a.json, '$.attendanceMinutes')) AS attendanceSum,
      SUM(COALESCE(json_extract(a.json, '$.validAbsenceMinutes'), 0)) AS validAbsenceSum,
      SUM(COALESCE(json_extract(a.json, '$.invalidAbsenceMinutes'), 0)) AS invalidAbsenceSum,
      SUM(COALESCE(json_extract(a.json, '$.otherAttendanceMinutes'), 0)) AS otherAttendanceSum,
      SUM(CASE WHEN json_extract(a.json, '$.isReported') THEN ${LENGTH} ELSE 0 END) AS reportedSum,
      SUM(${LENGTH}) AS offeredSum
    FROM current_record a
    JOIN current_record ev ON ev.scope = a.scope AND ev.entity = 'CalendarEvent'
      AND ev.id = json_extract(a.json, '$.calendarEvent.id')
    WHERE ${where.join(' AND ')}
    GROUP BY student, activity)
  ${query.after === undefined ? '' : 'WHERE key > ?'} ORDER BY key${query.limit === undefined ? '' : ' LIMIT ?'}`
  if (query.after !== undefined) params.push(query.after)
  if (query.limit !== undefined) params.push(query.limit)
  for (const row of db.prepare(sql).iterate(...params) as IterableIterator<AggregatedRow>) {
    yield {
      id: row.key,
      text: JSON.stringify({
        activity: {id: row.activity},
        student: {id: row.student},
        startDate: query.startDate,
        endDate: query.endDate,
        attendanceSum: row.attendanceSum,
        validAbsenceSum: row.validAbsenceSum,
        invalidAbsenceSum: row.invalidAbsenceSum,
        otherAttendanceSum: row.otherAttendanceSum,
        reportedSum: row.reportedSum,
        offeredSum: row.offeredSum,
      }),
    }
  }
}

interface AggregatedRow {
  key: string
  student: string
  activity: string
  attendanceSum: number
  validAbsenceSum: number
  invalidAbsenceSum: number
  otherAttendanceSum: number
  reportedSum: number
  offeredSum: number
}
