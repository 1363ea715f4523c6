// The CRM projection now lives in `@contacts/core/testing`; kept for the tests beside the engine.
export * from '../testing/crm-snapshot.js';
