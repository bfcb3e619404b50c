/*
 * A small JSON Schema (2020-12) validator for the subset schema/scenario.schema.json uses: type,
 * const, enum, properties, required, additionalProperties: false, items, prefixItems, minItems,
 * maxItems, minimum, maximum, multipleOf, minLength, oneOf and local $ref ("#/$defs/name"). It
 * returns the first error as "path: what", enough for a test to say where schema and parser part.
 * Anything else in a schema is an error, so the schema never relies on a keyword this ignores.
 */

export type JsonSchema = { readonly [keyword: string]: unknown };

const KNOWN = new Set([
  '$schema', '$id', '$defs', '$ref', 'title', 'description', 'type', 'const', 'enum', 'properties', 'required',
  'additionalProperties', 'items', 'prefixItems', 'minItems', 'maxItems', 'minimum', 'maximum', 'multipleOf', 'minLength', 'oneOf',
]);

/** The first way `value` breaks `schema` ("steps[0].side: not one of ..."), or undefined if it conforms. */
export function validate(root: JsonSchema, value: unknown): string | undefined {
  return check(root, root, value, '$');
}

function check(root: JsonSchema, schema: JsonSchema, value: unknown, path: string): string | undefined {
  for (const keyword of Object.keys(schema)) if (!KNOWN.has(keyword)) throw new Error(`${path}: schema keyword ${keyword} is not supported`);
  if (typeof schema.$ref === 'string') return check(root, resolve(root, schema.$ref), value, path);
  if ('const' in schema && value !== schema.const) return `${path}: must be ${JSON.stringify(schema.const)}`;
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return `${path}: not one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  if (typeof schema.type === 'string' && !hasType(value, schema.type)) return `${path}: must be of type ${schema.type}`;
  if (Array.isArray(schema.oneOf)) return checkOneOf(root, schema.oneOf as JsonSchema[], value, path);
  if (typeof value === 'number') return checkNumber(schema, value, path);
  if (typeof value === 'string' && typeof schema.minLength === 'number' && value.length < schema.minLength) return `${path}: shorter than ${schema.minLength}`;
  if (Array.isArray(value)) return checkArray(root, schema, value, path);
  if (typeof value === 'object' && value !== null) return checkObject(root, schema, value as Record<string, unknown>, path);
  return undefined;
}

function resolve(root: JsonSchema, ref: string): JsonSchema {
  const name = /^#\/\$defs\/([^/]+)$/.exec(ref)?.[1];
  const target = name === undefined ? undefined : (root.$defs as Record<string, JsonSchema> | undefined)?.[name];
  if (target === undefined) throw new Error(`unresolvable $ref ${ref}`);
  return target;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
    case 'boolean':
      return typeof value === type;
    default:
      throw new Error(`schema type ${type} is not supported`);
  }
}

function checkOneOf(root: JsonSchema, options: readonly JsonSchema[], value: unknown, path: string): string | undefined {
  const errors = options.map((o) => check(root, o, value, path));
  const matches = errors.filter((e) => e === undefined).length;
  if (matches === 1) return undefined;
  if (matches > 1) return `${path}: matches ${matches} alternatives, not exactly one`;
  // The alternative whose discriminator (const) matched explains the failure best; else the first.
  return errors.find((e) => e !== undefined && !/\.(do|kind|policy): must be "/.test(e)) ?? errors[0];
}

function checkNumber(schema: JsonSchema, value: number, path: string): string | undefined {
  if (typeof schema.minimum === 'number' && value < schema.minimum) return `${path}: below ${schema.minimum}`;
  if (typeof schema.maximum === 'number' && value > schema.maximum) return `${path}: above ${schema.maximum}`;
  if (typeof schema.multipleOf === 'number' && value % schema.multipleOf !== 0) return `${path}: not a multiple of ${schema.multipleOf}`;
  return undefined;
}

function checkArray(root: JsonSchema, schema: JsonSchema, value: readonly unknown[], path: string): string | undefined {
  if (typeof schema.minItems === 'number' && value.length < schema.minItems) return `${path}: fewer than ${schema.minItems} items`;
  if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) return `${path}: more than ${schema.maxItems} items`;
  const prefix = (schema.prefixItems ?? []) as JsonSchema[];
  for (const [i, item] of value.entries()) {
    const itemSchema = prefix[i] ?? (schema.items as JsonSchema | undefined);
    const error = itemSchema === undefined ? undefined : check(root, itemSchema, item, `${path}[${i}]`);
    if (error !== undefined) return error;
  }
  return undefined;
}

function checkObject(root: JsonSchema, schema: JsonSchema, value: Record<string, unknown>, path: string): string | undefined {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const key of (schema.required ?? []) as string[]) if (!(key in value)) return `${path}.${key}: required`;
  for (const [key, item] of Object.entries(value)) {
    const propertySchema = properties[key];
    if (propertySchema === undefined) {
      if (schema.additionalProperties === false) return `${path}.${key}: unknown field`;
      continue;
    }
    const error = check(root, propertySchema, item, `${path}.${key}`);
    if (error !== undefined) return error;
  }
  return undefined;
}
