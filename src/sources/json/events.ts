/** The events reading JSON input produces, shared by the modules that make them. */
import type {EntityName} from '../../schema/entity-names.js'

/** A place in a decoded file: 1-based line and column (UTF-16 code units), 0-based UTF-16 offset. */
export interface JsonPosition {
  line: number
  column: number
  offset: number
}

/** What reading JSON input produces: items, problems, and one summary per file. */
export type JsonInputEvent =
  | {
      kind: 'item'
      /** The path as given/walked (not resolved to absolute unless given so). */
      file: string
      /** The parsed JSON value of this item (JSON.parse semantics). */
      value: unknown
      /** Which wrapper key the item sits under: 'data', a collection key like 'persons', or undefined for a top-level value (shape 1, 2 or an NDJSON line). */
      bodyKey?: string
      /** The entity type inferred from bodyKey (entityFromName) or, failing that, from the file name (entityHintFromFileName); undefined when neither says. */
      entityHint?: EntityName
      /** JSON pointer of this item inside its file/line: '' for a top-level entity, '/3' for element 3 of a top-level array, '/persons/3' or '/data/3' inside a wrapper. */
      pointer: string
      /** 0-based ordinal of the item within its file. */
      index: number
      /** Position of the item's first character ('{' usually). */
      position: JsonPosition
      /** Set for NDJSON/JSON-lines input: the 1-based physical line. */
      ndjsonLine?: number
      /**
       * Position of a JSON pointer relative to this item ('' for the item itself). A pointer to something that does
       * not exist gives the position of its closest existing ancestor. Stays valid after the iterator has moved on.
       */
      locate(pointer: string): JsonPosition
    }
  | {
      kind: 'error' | 'warning'
      file: string
      code: JsonInputIssueCode
      message: string
      position?: JsonPosition
      ndjsonLine?: number
    }
  | {
      /** Once per file that could be opened, after its items. */
      kind: 'file'
      file: string
      /** 'sequence' is several top-level values in one .json file; 'empty' is no value at all. */
      shape: 'entity' | 'array' | 'wrapper' | 'ndjson' | 'sequence' | 'empty'
      items: number
      /** The wrapper keys met, in order, without repeats. */
      bodyKeys: string[]
      /** Members of wrapper objects that are not wrapper keys, e.g. {pageToken: null}. */
      extras: Record<string, unknown>
    }

/** Machine-readable codes of the problems reading input can report. */
export type JsonInputIssueCode =
  /** Not RFC 8259 JSON; always with the position of the offending character. */
  | 'json.syntax'
  /** The file holds no JSON value (empty or only whitespace): a warning. */
  | 'json.empty'
  /** Bytes that are not UTF-8 (or not the UTF-16 the BOM promised): an error; the file is read no further. */
  | 'input.encoding'
  /** The file was decoded as UTF-16: a warning. */
  | 'input.utf16'
  /** A path that does not exist or cannot be read, with the OS reason in plain words: an error. */
  | 'input.unreadable'
  /** A directory without .json, .ndjson or .jsonl files: a warning. */
  | 'input.no-files'

/** A problem event, as every stage that finds one makes it. */
export type IssueEvent = Extract<JsonInputEvent, {kind: 'error' | 'warning'}>
