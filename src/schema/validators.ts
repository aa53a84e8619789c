import type {TObject} from '@sinclair/typebox'
import {Ajv, type ErrorObject, type ValidateFunction} from 'ajv'
import {default as addFormatsModule} from 'ajv-formats'

import {ENTITY_NAMES, type EntityName} from './entity-names.js'
import {buildModel, type Model, REF_KEYWORD} from './model.js'
import {type Mode, type ProfileName, PROFILES} from './profiles.js'

// ajv-formats is CommonJS with `exports.default`; under NodeNext the callable sits on `.default` of the import.
type AddFormats = (typeof addFormatsModule)['default']
const addFormats: AddFormats =
  (addFormatsModule as unknown as {default?: AddFormats}).default ?? (addFormatsModule as unknown as AddFormats)

export type {ErrorObject, ValidateFunction}

export interface Variant {
  profile: ProfileName
  mode: Mode
}

/**
 * The toolkit's one ajv instance: strict mode, all errors, formats from ajv-formats. Every variant's schemas are added
 * once, and each validator is compiled the first time it is asked for and then reused.
 */
// verbose: errors carry the failing schema, which the messages use (allowed values, known fields, reference targets).
const ajv = new Ajv({strict: true, allErrors: true, allowUnionTypes: true, useDefaults: false, verbose: true})
addFormats(ajv)
ajv.addKeyword({keyword: REF_KEYWORD, schemaType: 'string'})

const models = new Map<string, Model>()
const validators = new Map<string, ValidateFunction>()

const variantKey = ({profile, mode}: Variant) => `${profile}/${mode}`

/** The model of a profile and mode, built and registered with ajv once. */
export function getModel(variant: Variant): Model {
  const key = variantKey(variant)
  let model = models.get(key)
  if (!model) {
    model = buildModel(PROFILES[variant.profile], variant.mode)
    for (const entity of ENTITY_NAMES) ajv.addSchema(model.entities[entity])
    ajv.addSchema(model.types.GroupFragment)
    models.set(key, model)
  }
  return model
}

/** The compiled validator of one entity type in a variant. */
export function getEntityValidator(entity: EntityName, variant: Variant): ValidateFunction {
  const key = `${variantKey(variant)}/${entity}`
  let validate = validators.get(key)
  if (!validate) {
    const schema = getModel(variant).entities[entity] as TObject & {$id: string}
    validate = ajv.getSchema(schema.$id)
    if (!validate) throw new Error(`schema ${schema.$id} was not registered`)
    validators.set(key, validate)
  }
  return validate
}

/** The compiled validator of a shared type or API document (e.g. `DeletedEntities`, `Error`) in a variant. */
export function getTypeValidator(name: keyof Model['types'], variant: Variant): ValidateFunction {
  const key = `${variantKey(variant)}/types/${name}`
  let validate = validators.get(key)
  if (!validate) {
    const model = getModel(variant)
    const schema = model.types[name] as TObject & {$id?: string}
    validate = schema.$id ? ajv.getSchema(schema.$id) : ajv.compile(schema)
    if (!validate) throw new Error(`schema for ${name} could not be compiled`)
    validators.set(key, validate)
  }
  return validate
}

/** Compiles a schema of the toolkit's own (configuration, templates) with the same ajv instance and formats. */
export function compileSchema(schema: object): ValidateFunction {
  return ajv.compile(schema)
}

/**
 * A schema compiled on first use: compiling takes a tenth of a second, which a module-level compile would cost every
 * command that imports the module, whether it validates anything or not.
 */
export function compileSchemaLazily(schema: object): () => ValidateFunction {
  let compiled: ValidateFunction | undefined
  return () => (compiled ??= ajv.compile(schema))
}
