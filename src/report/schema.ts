import * as z from 'zod/mini';
import { CHECK_IDS } from '../model/check-result.js';
import { REPORT_SCHEMA_VERSION } from './version.js';

export const checkResultSchema = z.object({
  id: z.enum(CHECK_IDS),
  title: z.string(),
  status: z.enum(['pass', 'fail', 'skip', 'error']),
  reason: z.string(),
  evidence: z.record(z.string(), z.unknown()),
});

export const targetSchema = z.object({
  image: z.string(),
  version: z.nullable(z.string()),
  tag: z.nullable(z.string()),
  digest: z.nullable(z.string()),
  mediaType: z.nullable(z.string()),
  platforms: z.array(z.string()),
});

/** The JSON report (`--json`): the contract pipelines rely on. */
export const reportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  target: targetSchema,
  checks: z.array(checkResultSchema),
  /** Checks a `--checks` selection left out (empty for a full run): a verdict over fewer checks says so. */
  checksOmitted: z.array(z.enum(CHECK_IDS)),
  verified: z.boolean(),
  notices: z.array(z.string()),
});

export type Report = z.infer<typeof reportSchema>;
export type ReportTarget = z.infer<typeof targetSchema>;
