/**
 * What replay needs from the batch pipeline: which of a room's items it still holds.
 * A member joining now receives those live, so a replay stops before them.
 */
export abstract class PendingSeqs {
  /** The lowest seq of the room not sent yet; undefined when nothing of it waits. */
  abstract firstPendingSeq(room: string): number | undefined;
}
