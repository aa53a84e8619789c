import {ENTITY_NAMES, ENTITY_NAMING, type EntityName} from '../schema/entity-names.js'
import {isRecord} from '../util.js'

/** What probe needs of the SS 12000 client (src/remote). */
export interface ProbeClient {
  getJson(path: string, query?: Record<string, string | string[] | undefined>): Promise<unknown>
  postJson(path: string, body: unknown): Promise<unknown>
}

/** How a collection answered a first page. */
export type CollectionStatus = 'answers' | 'forbidden' | 'not served' | 'refused' | 'failed'

export interface CollectionProbe {
  entity: EntityName
  collection: string
  status: CollectionStatus
  /** Records on the first page (asked for `limit`), when it answered. */
  firstPage?: number
  /** Whether more pages follow. */
  more?: boolean
  /** The server's words, when it did not answer. */
  detail?: string
}

/** A feature, and whether the server supports it, as the probe saw it. */
export interface FeatureProbe {
  feature: 'pageSizeLimit' | 'expand' | 'lookup' | 'meta.modified.after' | 'deletedEntities' | 'expandReferenceNames'
  supported: boolean | 'unknown'
  detail: string
}

export interface ProbeResult {
  server: string
  collections: CollectionProbe[]
  features: FeatureProbe[]
}

/** The collections a read API lists (subscriptions are the client's own, not data). */
const LISTED = ENTITY_NAMES.filter((entity) => entity !== 'Subscription')
/** Parameters some lists require. */
const REQUIRED: Partial<Record<EntityName, Record<string, string>>> = {
  CalendarEvent: {'startTime.onOrAfter': '1970-01-01', 'startTime.onOrBefore': '2099-12-31'},
  AggregatedAttendance: {startDate: '1970-01-01', endDate: '2099-12-31'},
}
const ASKED = 1000
const LONG_AGO = '2000-01-01T00:00:00Z'

/** The HTTP status of a failed request, when the client's error carries one. */
function statusOf(error: unknown): number | undefined {
  const status = (error as {status?: unknown}).status
  return typeof status === 'number' ? status : undefined
}

function detailOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * What a server can do, with the credentials given: which collections answer (or are forbidden to this token, or not
 * served), how large a page it gives, and whether `expand`, `expandReferenceNames`, `lookup`, `meta.modified.after`
 * and `/deletedEntities` work. Reads only: one small page per collection and a request per feature.
 */
export async function probe(client: ProbeClient, server: string): Promise<ProbeResult> {
  const collections = await Promise.all(LISTED.map((entity) => probeCollection(client, entity)))
  // Features are tried on persons when they answer with records (they have expand), else on the first that does.
  const withRecords = collections.filter((probe) => probe.status === 'answers' && (probe.firstPage ?? 0) > 0)
  const answering = withRecords.find((probe) => probe.entity === 'Person') ?? withRecords[0]
  const features: FeatureProbe[] = []
  if (answering === undefined) {
    const reason = 'no collection answered with records to try it on'
    for (const feature of [
      'pageSizeLimit',
      'expand',
      'expandReferenceNames',
      'lookup',
      'meta.modified.after',
    ] as const) {
      features.push({feature, supported: 'unknown', detail: reason})
    }
  } else {
    features.push(...(await probeFeatures(client, answering)))
  }
  features.push(await probeDeleted(client))
  return {server, collections, features}
}

async function probeCollection(client: ProbeClient, entity: EntityName): Promise<CollectionProbe> {
  const collection = ENTITY_NAMING[entity].collection
  try {
    const body = await client.getJson(collection, {limit: String(ASKED), ...REQUIRED[entity]})
    const data = isRecord(body) && Array.isArray(body.data) ? body.data : []
    const token = isRecord(body) ? body.pageToken : undefined
    return {entity, collection, status: 'answers', firstPage: data.length, more: token !== undefined && token !== null}
  } catch (error) {
    const status = statusOf(error)
    const kind: CollectionStatus =
      status === 401 || status === 403
        ? 'forbidden'
        : status === 404 || status === 405 || status === 501
          ? 'not served'
          : status !== undefined && status < 500
            ? 'refused'
            : 'failed'
    return {entity, collection, status: kind, detail: detailOf(error)}
  }
}

async function probeFeatures(client: ProbeClient, answering: CollectionProbe): Promise<FeatureProbe[]> {
  const {entity, collection} = answering
  const features: FeatureProbe[] = []
  const required = REQUIRED[entity] ?? {}
  features.push(
    answering.more && (answering.firstPage ?? 0) < ASKED
      ? {
          feature: 'pageSizeLimit',
          supported: true,
          detail: `/${collection} gave ${answering.firstPage} records when asked for ${ASKED}, and more follow`,
        }
      : {feature: 'pageSizeLimit', supported: false, detail: `/${collection} gave what was asked (up to ${ASKED})`},
  )
  const first = await client.getJson(collection, {limit: '1', ...required})
  const record = isRecord(first) && Array.isArray(first.data) && isRecord(first.data[0]) ? first.data[0] : undefined
  const id = typeof record?.id === 'string' ? record.id : undefined

  const expandable: Partial<Record<EntityName, string>> = {
    Person: 'duties',
    Placement: 'child',
    Duty: 'person',
    Group: 'assignmentRoles',
    Activity: 'groups',
    CalendarEvent: 'activity',
  }
  const expand = expandable[entity]
  features.push(
    expand === undefined
      ? {feature: 'expand', supported: 'unknown', detail: `/${collection} has no expand in the standard`}
      : await tryFeature('expand', async () => {
          const body = await client.getJson(collection, {limit: '1', expand, ...required})
          const embedded =
            isRecord(body) && Array.isArray(body.data) && isRecord(body.data[0]) && '_embedded' in body.data[0]
          return embedded
            ? `/${collection}?expand=${expand} embeds`
            : `/${collection}?expand=${expand} answers, without _embedded`
        }),
  )
  features.push(
    await tryFeature('expandReferenceNames', async () => {
      await client.getJson(collection, {limit: '1', expandReferenceNames: 'true', ...required})
      return `/${collection}?expandReferenceNames=true answers`
    }),
  )
  features.push(
    id === undefined
      ? {feature: 'lookup', supported: 'unknown', detail: 'no record id to look up'}
      : await tryFeature('lookup', async () => {
          const body = await client.postJson(`${collection}/lookup`, {ids: [id]})
          if (!Array.isArray(body)) throw new Error('the answer is not an array')
          return `POST /${collection}/lookup found ${body.length} of 1`
        }),
  )
  features.push(
    await tryFeature('meta.modified.after', async () => {
      await client.getJson(collection, {limit: '1', 'meta.modified.after': LONG_AGO, ...required})
      return `/${collection}?meta.modified.after=… answers: incremental pulls work`
    }),
  )
  return features
}

async function probeDeleted(client: ProbeClient): Promise<FeatureProbe> {
  return tryFeature('deletedEntities', async () => {
    const body = await client.getJson('deletedEntities', {after: LONG_AGO})
    if (!isRecord(body) && !Array.isArray(body)) throw new Error('the answer is not a deletedEntities answer')
    return '/deletedEntities answers: incremental pulls see deletions'
  })
}

async function tryFeature(feature: FeatureProbe['feature'], attempt: () => Promise<string>): Promise<FeatureProbe> {
  try {
    return {feature, supported: true, detail: await attempt()}
  } catch (error) {
    return {feature, supported: false, detail: detailOf(error)}
  }
}
