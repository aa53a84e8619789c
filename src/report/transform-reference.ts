import {describeTransforms} from '../transforms/registry.js'

/** The README's table of transforms, made from the registry so it cannot drift from the code. */
export function renderTransformReference(): string {
  const lines = ['| transform | what it does | parameters |', '| --- | --- | --- |']
  for (const transform of describeTransforms()) {
    const params = transform.params
      .map((param) => {
        const required = param.required ? ' (required)' : ''
        const fallback = param.default === undefined ? '' : `, default \`${JSON.stringify(param.default)}\``
        const text = param.description === undefined ? '' : `: ${param.description}`
        return `\`${param.name}\` ${param.type.replaceAll('|', '\\|')}${required}${fallback}${text}`
      })
      .join('<br>')
    lines.push(`| \`${transform.name}\` | ${transform.summary} | ${params || '–'} |`)
  }
  return lines.join('\n')
}

export const TRANSFORMS_START = '<!-- transforms -->'
export const TRANSFORMS_STOP = '<!-- transformsstop -->'

/** README text with the transform table between its markers replaced by the current one. */
export function updateTransformReference(readme: string): string {
  const start = readme.indexOf(TRANSFORMS_START)
  const stop = readme.indexOf(TRANSFORMS_STOP)
  if (start < 0 || stop < start) throw new Error(`README.md lacks the ${TRANSFORMS_START} … ${TRANSFORMS_STOP} markers`)
  return `${readme.slice(0, start + TRANSFORMS_START.length)}\n${renderTransformReference()}\n${readme.slice(stop)}`
}
