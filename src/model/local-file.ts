import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** Why {@link readRegularFile} refused a path; the message says what was found, e.g. `a directory`. */
export class LocalFileRefused extends Error {
  constructor(
    readonly kind: 'not-regular' | 'too-large' | 'changed',
    message: string,
    /** The file's size as stat() gave it, or as far as it was read when it grew. */
    readonly size: number,
  ) {
    super(message);
    this.name = 'LocalFileRefused';
  }
}

/**
 * Reads a small local file (a policy, a trusted root) synchronously: only a regular file, since opening a FIFO or a
 * device would block or read without end; at most `maxBytes`; and refused if it grows while it is read, rather than
 * read in part. Throws {@link LocalFileRefused}, or the file system's error (ENOENT, EACCES).
 */
export function readRegularFile(path: string, maxBytes: number): Buffer {
  const stats = statSync(path);
  if (!stats.isFile()) {
    const found = stats.isDirectory() ? 'a directory' : 'a special file (not a regular file)';
    throw new LocalFileRefused('not-regular', found, stats.size);
  }
  if (stats.size > maxBytes) {
    throw new LocalFileRefused('too-large', `a file of ${stats.size} bytes, more than ${maxBytes}`, stats.size);
  }
  const fd = openSync(path, 'r');
  try {
    // One byte more than stat() said, to notice a file that grew since.
    const buffer = Buffer.allocUnsafe(stats.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, length);
      if (read === 0) break;
      length += read;
    }
    if (length > stats.size) throw new LocalFileRefused('changed', 'a file that grew while it was read', length);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
