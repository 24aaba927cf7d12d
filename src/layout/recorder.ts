import { isDigest, type Digest } from '../model/digest.js';
import { formatRepository } from '../model/reference.js';
import type { FetchedManifest, ReferrersList, RegistrySource, RepositoryRef } from '../registry/index.js';

/** A manifest a run read, with the tags it was read by. */
export interface RecordedManifest {
  repo: RepositoryRef;
  manifest: FetchedManifest;
  tags: Set<string>;
}

/** A referrers listing a run read. */
export interface RecordedReferrers {
  repo: RepositoryRef;
  subject: Digest;
  list: ReferrersList;
}

/**
 * Passes every read through to `inner` and remembers what was found: the manifests (by repository, with their tags),
 * the referrers listings and the blobs. `save` lays out exactly this, so the layout holds every piece of evidence the
 * verification looked at, in every repository it searched. Existence probes (hints) are not recorded.
 */
export class RecordingSource implements RegistrySource {
  readonly manifests = new Map<string, RecordedManifest>();
  readonly referrers = new Map<string, RecordedReferrers>();
  readonly blobs = new Map<string, { repo: RepositoryRef; digest: Digest; size?: number }>();

  constructor(readonly inner: RegistrySource) {}

  async getManifest(repo: RepositoryRef, reference: string): Promise<FetchedManifest> {
    return this.#keep(repo, reference, await this.inner.getManifest(repo, reference));
  }

  async findManifest(repo: RepositoryRef, reference: string): Promise<FetchedManifest | undefined> {
    const manifest = await this.inner.findManifest(repo, reference);
    return manifest === undefined ? undefined : this.#keep(repo, reference, manifest);
  }

  getBlob(repo: RepositoryRef, descriptor: { digest: Digest; size?: number }): Promise<Uint8Array> {
    this.#keepBlob(repo, descriptor);
    return this.inner.getBlob(repo, descriptor);
  }

  getJsonBlob(repo: RepositoryRef, descriptor: { digest: Digest; size?: number }, as: 'parse'): Promise<unknown>;
  getJsonBlob(repo: RepositoryRef, descriptor: { digest: Digest; size?: number }, as: 'bytes'): Promise<Uint8Array>;
  getJsonBlob(
    repo: RepositoryRef,
    descriptor: { digest: Digest; size?: number },
    as: 'parse' | 'bytes',
  ): Promise<unknown> {
    this.#keepBlob(repo, descriptor);
    return as === 'parse'
      ? this.inner.getJsonBlob(repo, descriptor, 'parse')
      : this.inner.getJsonBlob(repo, descriptor, 'bytes');
  }

  hasManifest(repo: RepositoryRef, reference: string): Promise<boolean> {
    return this.inner.hasManifest(repo, reference);
  }

  hasReferrers(repo: RepositoryRef, subject: Digest, take?: () => boolean): Promise<boolean> {
    return this.inner.hasReferrers(repo, subject, take);
  }

  listTags(repo: RepositoryRef, options?: { maxPages?: number }): Promise<string[]> {
    return this.inner.listTags(repo, options);
  }

  async listReferrers(repo: RepositoryRef, subject: Digest): Promise<ReferrersList> {
    const list = await this.inner.listReferrers(repo, subject);
    this.referrers.set(`${formatRepository(repo)}@${subject}`, { repo, subject, list });
    return list;
  }

  #keep(repo: RepositoryRef, reference: string, manifest: FetchedManifest): FetchedManifest {
    const key = `${formatRepository(repo)}@${manifest.digest}`;
    const recorded = this.manifests.get(key) ?? { repo, manifest, tags: new Set<string>() };
    if (!isDigest(reference)) recorded.tags.add(reference);
    this.manifests.set(key, recorded);
    return manifest;
  }

  #keepBlob(repo: RepositoryRef, descriptor: { digest: Digest; size?: number }): void {
    this.blobs.set(`${formatRepository(repo)}@${descriptor.digest}`, {
      repo,
      digest: descriptor.digest,
      ...(descriptor.size !== undefined && { size: descriptor.size }),
    });
  }
}
