import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { Admission, RETRY_AFTER_SECONDS } from '../admission/admission.service.js';
import { OverloadedException } from '../admission/overloaded.exception.js';

/** Whether a route's (unvalidated, parsed) body makes a priority publish. */
export type PriorityOf = (body: unknown) => boolean;

/** The publish route's rule for what counts as priority; routes without it are not admission-controlled. */
export const Admitted = Reflector.createDecorator<PriorityOf>();

/** A comment body marked `priority: true`. */
export const priorityComment: PriorityOf = (body) => (body as { priority?: unknown } | undefined)?.priority === true;

/** A batch is priority only when every item is: one ordinary item must not ride in on the others' flag. */
export const priorityBatch: PriorityOf = (body) => {
  const items = (body as { items?: unknown } | undefined)?.items;
  return Array.isArray(items) && items.length > 0 && items.every((item) => priorityComment(item));
};

export const alwaysPriority: PriorityOf = () => true;
export const neverPriority: PriorityOf = () => false;

/**
 * Overload control for the Nest publish routes: asks Admission before the body is
 * validated or published, and refuses with 429 and Retry-After. It runs after AdminGuard
 * (listed after it), so an unauthorized caller learns nothing about the load.
 */
@Injectable()
export class AdmissionGuard implements CanActivate {
  constructor(
    private readonly admission: Admission,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.admission.refusing) return true;
    const priorityOf = this.reflector.getAllAndOverride(Admitted, [context.getHandler(), context.getClass()]);
    if (!priorityOf) return true;
    const http = context.switchToHttp();
    if (this.admission.admits('rest', priorityOf(http.getRequest<Request>().body))) return true;
    http.getResponse<Response>().setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    throw new OverloadedException();
  }
}
