import type { Type } from '@nestjs/common';
import { TransformationType } from 'class-transformer';
import type { MetadataStorage as TransformerStorage } from 'class-transformer/types/MetadataStorage.js';
import { getMetadataStorage, type ValidationArguments, ValidationTypes, type ValidatorConstraintInterface } from 'class-validator';
import { createRequire } from 'node:module';

/*
 * A DTO's decorators read once into one synchronous function, for the direct publish
 * route: it gives the InputValidationPipe's verdict (whitelist, no implicit conversion,
 * the pipe's Nest 12 handling of null and non-object bodies) at a small part of its cost,
 * because every rule it runs is the decorator's own class-validator constraint, found in
 * class-validator's metadata storage; only the walk over the properties is done here, the
 * way class-validator's ValidationExecutor walks them. dto-check.spec.ts holds the verdicts
 * of the two side by side. A DTO using something this walk does not reproduce (async
 * rules, promises, class-transformer transforms) gets no check: compileDtoCheck throws.
 *
 * This file is the one place that reads the two libraries' metadata storages.
 */

/** The whitelisted fields of an accepted body, or undefined where the pipe would answer 400. */
export type DtoCheck<T> = (body: unknown) => T | undefined;

const validation = getMetadataStorage();
// class-transformer exports its @Type() storage only under this path (same module instance
// as the one its decorators write to: both are its CommonJS build).
const transformer = (createRequire(import.meta.url)('class-transformer/cjs/storage.js') as { defaultMetadataStorage: TransformerStorage })
  .defaultMetadataStorage;

/** Properties the pipe strips before validating (Nest's stripProtoKeys) or that plain objects inherit. */
const UNREADABLE = new Set(['__proto__', 'prototype', 'constructor', ...Object.getOwnPropertyNames(Object.prototype)]);

const FAIL: unique symbol = Symbol('fail');

interface Rule {
  /** Taken from class-validator's container once: it looks it up by a linear search. */
  constraint: ValidatorConstraintInterface;
  each: boolean;
  validateIf?: (object: object, value: unknown) => boolean;
  /** Reused for every call: rules run one at a time and keep nothing. */
  args: ValidationArguments;
}

interface PropertyRules {
  name: string;
  /** `@IsOptional()`, `@ValidateIf()`: when one is false the property is not checked. */
  conditions: ((object: object, value: unknown) => boolean)[];
  rules: Rule[];
  /** `@ValidateNested()` with the class of `@Type()`. */
  nested?: ClassCheck;
}

type ClassCheck = (object: Record<string, unknown>) => Record<string, unknown> | typeof FAIL;

export function compileDtoCheck<T extends object>(dto: Type<T>): DtoCheck<T> {
  const check = classCheck(dto, new Map());
  return (body) => {
    // The pipe validates null as {}, and never accepts an array or a primitive for a class with rules.
    if (body === null || body === undefined) body = {};
    if (typeof body !== 'object' || Array.isArray(body)) return undefined;
    const result = check(body as Record<string, unknown>);
    return result === FAIL ? undefined : (result as T);
  };
}

function classCheck(dto: Function, compiled: Map<Function, ClassCheck>): ClassCheck {
  const known = compiled.get(dto);
  if (known) return known;
  let properties: PropertyRules[] = [];
  const check: ClassCheck = (object) => {
    const out: Record<string, unknown> = {};
    for (const property of properties) {
      const value = checkProperty(object, property);
      if (value === FAIL) return FAIL;
      out[property.name] = value;
    }
    return out;
  };
  // Registered before its properties are read, so a class nested in itself finds it.
  compiled.set(dto, check);
  properties = propertyRules(dto, compiled);
  return check;
}

/** The property's value as the pipe hands it on, or FAIL. */
function checkProperty(object: Record<string, unknown>, property: PropertyRules): unknown {
  const value = object[property.name];
  for (const condition of property.conditions) if (!condition(object, value)) return value;
  for (const rule of property.rules) {
    if (rule.validateIf && !rule.validateIf(object, value)) continue;
    rule.args.object = object;
    rule.args.value = value;
    const constraint = rule.constraint;
    // JSON holds no Set or Map, the other collections class-validator checks item by item.
    const valid =
      rule.each && Array.isArray(value)
        ? value.every((item) => passed(constraint.validate(item, rule.args)))
        : passed(constraint.validate(value, rule.args));
    if (!valid) return FAIL;
  }
  return property.nested ? checkNested(value, property.nested) : value;
}

/** A rule's answer; a promise (a rule not declared async) is left to the pipe, which awaits it. */
function passed(result: unknown): boolean {
  return Boolean(result) && !(result instanceof Promise);
}

/** class-validator's nestedValidations: arrays item by item (nested arrays too), objects as the class; or FAIL. */
function checkNested(value: unknown, check: ClassCheck): unknown {
  if (value === undefined) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = checkNested(value[i], check);
      if (item === FAIL) return FAIL;
      out[i] = item;
    }
    return out;
  }
  return typeof value === 'object' && value !== null ? check(value as Record<string, unknown>) : FAIL;
}

function propertyRules(dto: Function, compiled: Map<Function, ClassCheck>): PropertyRules[] {
  const where = (name: string) => `${dto.name}.${name}`;
  if (transformer.getStrategy(dto) !== 'none' || transformer.getExposedMetadatas(dto).length || transformer.getExcludedMetadatas(dto).length) {
    throw new Error(`${dto.name} uses @Expose/@Exclude, which the direct check does not reproduce`);
  }
  const grouped = validation.groupByPropertyName(validation.getTargetValidationMetadatas(dto, '', false, false));
  const names = Object.keys(grouped);
  if (names.length === 0) throw new Error(`${dto.name} has no validation rules`);
  return names.map((name) => {
    if (UNREADABLE.has(name)) throw new Error(`${where(name)}: a property of that name is stripped or inherited`);
    if (transformer.findTransformMetadatas(dto, name, TransformationType.PLAIN_TO_CLASS).length) {
      throw new Error(`${where(name)} uses @Transform, which the direct check does not reproduce`);
    }
    const property: PropertyRules = { name, conditions: [], rules: [] };
    for (const metadata of grouped[name]) {
      switch (metadata.type) {
        case ValidationTypes.CONDITIONAL_VALIDATION:
          property.conditions.push(metadata.constraints[0] as PropertyRules['conditions'][number]);
          break;
        case ValidationTypes.CUSTOM_VALIDATION:
        case ValidationTypes.IS_DEFINED:
          for (const constraint of validation.getTargetValidatorConstraints(metadata.constraintCls)) {
            if (constraint.async) throw new Error(`${where(name)}: ${constraint.name} is asynchronous`);
            const args = { targetName: dto.name, property: name, object: {}, value: undefined, constraints: metadata.constraints };
            property.rules.push({ constraint: constraint.instance, each: metadata.each, validateIf: metadata.validateIf, args });
          }
          break;
        case ValidationTypes.NESTED_VALIDATION: {
          const type = transformer.findTypeMetadata(dto, name);
          if (!type || type.options?.discriminator) throw new Error(`${where(name)}: @ValidateNested needs a plain @Type(() => Class)`);
          property.nested = classCheck(type.typeFunction(), compiled);
          break;
        }
        case ValidationTypes.WHITELIST:
          break;
        default:
          throw new Error(`${where(name)}: ${metadata.type} rules are not reproduced by the direct check`);
      }
    }
    return property;
  });
}
