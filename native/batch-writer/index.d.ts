/**
 * Sends `frame` to `fds[0..count)` with non-blocking send(2) and stores in `written[i]`
 * the bytes the kernel took for `fds[i]`, or minus the errno.
 */
export function writeEach(fds: Int32Array, count: number, frame: Uint8Array, written: Int32Array): void;
