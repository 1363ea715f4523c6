import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** A successful result: `structuredContent` plus the same JSON as text, for clients without structured output. */
export function toolResult<T extends Record<string, unknown>>(
  data: T,
): CallToolResult & { structuredContent: T } {
  return { content: [{ type: 'text', text: JSON.stringify(data) }], structuredContent: data };
}

/** An expected failure: `isError` with one sentence a person (or a model) can act on. */
export function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}
