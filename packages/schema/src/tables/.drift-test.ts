import { text } from 'drizzle-orm/pg-core';
export * from './drizzle-kit-butler.js';
import { schema } from './drizzle-kit-butler.js';
export const drift = schema.table('drift', { id: text('id').primaryKey() });
