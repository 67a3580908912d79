import type { Type } from '@nestjs/common';

/** The modules whose routes the document describes. */
export const DOCUMENTED_MODULES = Symbol('DOCUMENTED_MODULES');
export type DocumentedModules = Type[];

/** Where the document and its page live: '' or '/<routePrefix>'. */
export function docsBase(prefix: string): string {
  return prefix ? `/${prefix}` : '';
}
