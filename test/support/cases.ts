import type {TransformResult} from '../../src/transforms/types.js'

/** One row of a table-driven test. */
export interface Case<I, E> {
  name: string
  input: I
  expected: E
}

/** A transform result as tables spell it: the value (and warning code), or the problem code. */
export type Outcome<T> = {value: T; warning?: string} | {problem: string}

export function outcome<T>(result: TransformResult<T>): Outcome<T> {
  if (!result.ok) return {problem: result.problem.code}
  return result.warning === undefined ? {value: result.value} : {value: result.value, warning: result.warning.code}
}
