import type {IssueCode} from '../validation/catalog.js'

/**
 * What a transform may know beyond its input: given by the caller, never read from the clock or the environment, so
 * that the same rows give byte-identical output (STYLE.md: transforms are pure).
 */
export interface TransformContext {
  /**
   * The date the export describes (YYYY-MM-DD), used to place two-digit years: a YYMMDD-NNNN personnummer belongs to
   * the century that makes the person younger than 100 on this date (older with the `+` separator).
   */
  referenceDate: string
}

/** Why a value could not be transformed, or what is doubtful about the result. */
export interface TransformProblem {
  /** A catalog code (`transform.*`), so the message can be translated and grouped. */
  code: IssueCode
  /** Parameters for the catalog message. Values that may be personal data are masked by the issue factory. */
  params?: Record<string, string | number>
}

/** A transform's outcome: a value (perhaps with a warning), or a problem and no value. */
export type TransformResult<T> =
  {ok: true; value: T; warning?: TransformProblem} | {ok: false; problem: TransformProblem}

export const ok = <T>(value: T, warning?: TransformProblem): TransformResult<T> =>
  warning === undefined ? {ok: true, value} : {ok: true, value, warning}

export const fail = <T = never>(code: IssueCode, params?: Record<string, string | number>): TransformResult<T> =>
  params === undefined ? {ok: false, problem: {code}} : {ok: false, problem: {code, params}}
