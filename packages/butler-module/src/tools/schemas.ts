import { z } from 'zod';
import { SUPPORTED_PROVIDERS } from '../module/supported-providers.js';

export const providerInput = z
  .enum(SUPPORTED_PROVIDERS, {
    error: 'Unsupported provider: this butler syncs "google" only; omit provider or pass "google".',
  })
  .optional()
  .describe('The source provider. Only "google" is supported; omit it to use the configured provider.');

export const isoTimestamp = z
  .string()
  .nullable()
  .describe('ISO 8601 timestamp, or null when it never happened.');

export const summarySchema = z
  .object({
    fetched: z.number().int().describe('Contacts the source returned.'),
    applied: z.number().int().describe('Contacts written (created, linked or updated).'),
    skipped: z.number().int().describe('Contacts unchanged since the last sync (same etag): no write.'),
    deleted: z.number().int().describe('Contacts deleted at the source; their CRM records are kept.'),
    created: z.number().int().describe('New CRM contacts.'),
    updated: z.number().int().describe('Existing CRM contacts whose data changed.'),
    conflicts: z
      .number()
      .int()
      .describe('Fields a person edited that the source now disagrees with (local value kept).'),
    failed: z
      .number()
      .int()
      .describe('Contacts that could not be applied; kept for retry, see failed_contacts.'),
  })
  .describe('What the sync did.');
