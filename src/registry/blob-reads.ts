import { RegistryError } from '../errors.js';
import type { Digest } from '../model/digest.js';
import { formatRepository } from '../model/reference.js';
import type { RepositoryRef } from './endpoint.js';
import { parseJsonReleasing, scanJson } from './json.js';
import { ByteBudget, createLimiter, DEFAULT_MAX_TOTAL_BLOB_BYTES } from './throttle.js';

/** JSON blobs above this size are read and parsed one at a time. */
export const LARGE_DOCUMENT_BYTES = 16 * 1024 * 1024;

type BlobDescriptor = { digest: Digest; size?: number };

/**
 * One run's memory rules for blobs, wherever they are read from (a registry, or an OCI layout): all blobs together
 * stay within the total budget, and JSON documents above 16 MiB together within one maximum-size blob, read and
 * parsed one at a time; a document read once in a repository is shared, not read again.
 */
export class BlobReads {
  readonly #budget: ByteBudget;
  // One large JSON document at a time: while downloaded, scanned and parsed, it may cost several times its size.
  readonly #largeDocument = createLimiter(1);
  /** Bytes of large JSON documents (kept for verification) the run may still hold: one blob of the maximum size. */
  #largeRemaining: number;
  readonly #documents = new Map<string, Promise<unknown>>();

  /** `read` fetches a blob checked against its digest (and size, when given), at most `maxBlobBytes`. */
  constructor(
    readonly maxBlobBytes: number,
    maxTotalBlobBytes: number | undefined,
    private readonly read: (repo: RepositoryRef, descriptor: BlobDescriptor) => Promise<Uint8Array>,
  ) {
    this.#largeRemaining = maxBlobBytes;
    this.#budget = new ByteBudget(Math.max(maxTotalBlobBytes ?? DEFAULT_MAX_TOTAL_BLOB_BYTES, maxBlobBytes));
  }

  /** A blob, within the total budget. */
  blob(repo: RepositoryRef, descriptor: BlobDescriptor): Promise<Uint8Array> {
    return this.#reserved(repo, descriptor)();
  }

  /** A blob holding one JSON document, scanned before anything parses it: parsed (`parse`) or its bytes (`bytes`). */
  json(repo: RepositoryRef, descriptor: BlobDescriptor, as: 'parse' | 'bytes'): Promise<unknown> {
    const key = `${as} ${formatRepository(repo)}@${descriptor.digest}`;
    let found = this.#documents.get(key);
    if (found === undefined) {
      const what = `blob ${formatRepository(repo)}@${descriptor.digest}`;
      // Runs synchronously up to its first await: the bytes are reserved now, before waiting for the large slot.
      const start = async (): Promise<unknown> => {
        const large = descriptor.size === undefined || descriptor.size > LARGE_DOCUMENT_BYTES;
        const size = descriptor.size ?? this.maxBlobBytes;
        // Parsed, a large document costs about three times its size while it is verified: together they may take
        // no more than one blob of the maximum size, so memory stays bounded however many a source lists.
        if (large && size > this.#largeRemaining) {
          throw new RegistryError(
            'TOO_LARGE',
            `${what} is too large: expected JSON blobs above ${LARGE_DOCUMENT_BYTES} bytes to total at most ${this.maxBlobBytes} bytes in a run, got more`,
          );
        }
        const download = this.#reserved(repo, descriptor);
        if (large) this.#largeRemaining -= size;
        const read = async (): Promise<unknown> => {
          const holder: { bytes?: Uint8Array } = { bytes: await download() };
          if (as === 'parse') return parseJsonReleasing(holder, what);
          scanJson(holder.bytes!, what);
          return holder.bytes;
        };
        return large ? this.#largeDocument(read) : read();
      };
      found = start();
      this.#documents.set(key, found);
    }
    return found;
  }

  // Reserves the blob's bytes now (so layers adding up past the budget fail before most are read) and returns the
  // read, which gives back what it did not use.
  #reserved(repo: RepositoryRef, descriptor: BlobDescriptor): () => Promise<Uint8Array> {
    const reserved = descriptor.size ?? this.maxBlobBytes;
    this.#budget.reserve(reserved, `blob ${formatRepository(repo)}@${descriptor.digest}`);
    return async () => {
      try {
        const bytes = await this.read(repo, descriptor);
        this.#budget.release(reserved - bytes.byteLength);
        return bytes;
      } catch (error) {
        this.#budget.release(reserved);
        throw error;
      }
    };
  }
}
