import { ApiProperty } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

type SchemaPatch = Record<string, unknown>;

/**
 * What a class-validator rule says about the schema of its property, for the rules the Swagger
 * plugin does not read (it reads lengths, bounds and literal patterns): whole numbers, UUIDs, array
 * sizes, patterns built at run time, URL schemes, and `@IsOptional()` (not required, even with a default
 * value).
 */
function patchOf(rule: ValidationMetadata): SchemaPatch | undefined {
  const each = rule.each === true;
  const inItems = (patch: SchemaPatch): SchemaPatch => (each ? { items: patch } : patch);
  switch (rule.name) {
    case 'isOptional':
      return { required: false };
    case 'isInt':
      return inItems({ type: 'integer' });
    case 'isUuid':
      return inItems({ type: 'string', format: 'uuid' });
    case 'isLatitude':
      return { minimum: -90, maximum: 90 };
    case 'isLongitude':
      return { minimum: -180, maximum: 180 };
    case 'isEmail':
      return { format: 'email' };
    case 'matches': {
      const [pattern] = rule.constraints as [RegExp | string];
      return inItems({ pattern: pattern instanceof RegExp ? pattern.source : pattern });
    }
    case 'isUrl': {
      // Only the schemes the rule allows (`https`): a bare `format: uri` would take any.
      const [options] = rule.constraints as [{ protocols?: string[] } | undefined];
      const schemes = options?.protocols;
      return inItems({ format: 'uri', ...(schemes ? { pattern: `^(${schemes.join('|')})://` } : {}) });
    }
    case 'arrayMinSize':
      return { minItems: rule.constraints[0] as number };
    case 'arrayMaxSize':
      return { maxItems: rule.constraints[0] as number };
    default:
      return undefined;
  }
}

/** `patch` over `schema`, its `items` over theirs. */
function over(schema: SchemaPatch, patch: SchemaPatch): SchemaPatch {
  const items =
    schema.items || patch.items ? { items: { ...(schema.items as object), ...(patch.items as object) } } : {};
  return { ...schema, ...patch, ...items };
}

/**
 * Writes each DTO's validation rules into its OpenAPI metadata, so the document states a rule the
 * way the server enforces it, from the one place it is written (the class-validator decorator). Runs
 * before the document is built, over what the plugin and `@ApiProperty` declared: a rule adds to it.
 */
export function documentValidationRules(): void {
  const storage = getMetadataStorage() as unknown as {
    validationMetadatas: Map<abstract new (...args: never[]) => unknown, ValidationMetadata[]>;
  };
  for (const [target, rules] of storage.validationMetadatas) {
    const prototype = (target as { prototype?: object }).prototype;
    if (!prototype) {
      continue;
    }
    // What the Swagger plugin read from the class (types, optionality, lengths, comments).
    const fromPlugin =
      (
        target as { _OPENAPI_METADATA_FACTORY?: () => Record<string, SchemaPatch> }
      )._OPENAPI_METADATA_FACTORY?.() ?? {};
    const patches = new Map<string, SchemaPatch>();
    for (const rule of rules) {
      const patch = patchOf(rule);
      if (patch) {
        patches.set(rule.propertyName, over(patches.get(rule.propertyName) ?? {}, patch));
      }
    }
    for (const [property, patch] of patches) {
      const declared = Reflect.getMetadata('swagger/apiModelProperties', prototype, property) as
        SchemaPatch | undefined;
      if (!declared && !fromPlugin[property]) {
        continue; // not part of the document
      }
      const existing: SchemaPatch = { ...fromPlugin[property], ...declared };
      const merged = over(existing, patch);
      if (patch.items && existing.isArray) {
        // An array declared by its element type: the element keeps its type unless the rule narrows it.
        // Nest moves the element's keywords (format, pattern, lengths) into `items` itself.
        const { type, ...element } = patch.items as SchemaPatch;
        Object.assign(merged, element, { type: type ?? existing.type });
        delete merged.items;
      }
      ApiProperty(merged)(prototype, property);
    }
  }
}
