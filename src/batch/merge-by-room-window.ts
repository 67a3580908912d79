import { interval, Observable, type OperatorFunction, Subscription } from 'rxjs';
import type { Delivery } from '../broker/broker.js';
import type { MergedBatch, RoomBatches } from './room-batches.js';

/**
 * Turns the deliveries of every room into per-room batches, following the rules of
 * `batches` on one clock shared by all rooms: leading groups go out at the end of the
 * current tick (one microtask, however many rooms opened one), batched rooms on ONE
 * interval, so idle rooms cost nothing and a thousand busy rooms no more timers than one.
 * Items go straight into their room's record: a bufferTime in front would hold each one
 * once more and allocate per item.
 *
 * A value on `flush$` sends everything held at once and stops the interval (shutdown);
 * later items still go out, each at the end of its tick. Completion of the source does
 * the same, then completes.
 */
export function mergeByRoomWindow(batches: RoomBatches, flush$: Observable<unknown>): OperatorFunction<Delivery, MergedBatch> {
  return (deliveries) =>
    new Observable<MergedBatch>((subscriber) => {
      const emit = (batch: MergedBatch) => subscriber.next(batch);
      let endOfTickQueued = false;
      const sendLeading = () => {
        endOfTickQueued = false;
        batches.takeLeading(emit);
      };
      const subscription = new Subscription();
      const ticks =
        batches.tickMs === null ? Subscription.EMPTY : interval(batches.tickMs).subscribe(() => batches.takeDue(Date.now(), emit));
      const flushAll = () => {
        ticks.unsubscribe();
        batches.takeAll(emit);
      };
      subscription.add(ticks);
      subscription.add(flush$.subscribe(flushAll));
      subscription.add(
        deliveries.subscribe({
          next: (delivery) => {
            if (batches.add(delivery) && !endOfTickQueued) {
              endOfTickQueued = true;
              queueMicrotask(sendLeading);
            }
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            flushAll();
            subscriber.complete();
          },
        }),
      );
      return subscription;
    });
}
