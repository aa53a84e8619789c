import type {ProbeResult} from '../services/probe.js'
import {formatCount as n, table} from './issue-groups-text.js'

const MARK = {true: '✓', false: '✗', unknown: '?'} as const

/** The capability report: per collection how it answered, then each feature, with the server's words. */
export function renderProbeResult(result: ProbeResult): string {
  const rows = [['collection', 'answers', 'first page', 'more pages']]
  for (const probe of result.collections) {
    rows.push([
      probe.collection,
      probe.status,
      probe.firstPage === undefined ? '–' : n(probe.firstPage),
      probe.more === undefined ? '–' : probe.more ? 'yes' : 'no',
    ])
  }
  const answering = result.collections.filter((probe) => probe.status === 'answers').length
  const lines = [
    `${result.server}: ${answering} of ${result.collections.length} collections answer this token.`,
    '',
    ...table(rows, new Set([0, 1])).map((line) => `  ${line}`),
    '',
  ]
  for (const feature of result.features) {
    lines.push(`  ${MARK[String(feature.supported) as keyof typeof MARK]} ${feature.feature}: ${feature.detail}`)
  }
  const refused = result.collections.filter((probe) => probe.detail !== undefined && probe.status !== 'not served')
  if (refused.length > 0) {
    lines.push('', ...refused.map((probe) => `  /${probe.collection}: ${probe.detail}`))
  }
  return lines.join('\n')
}
