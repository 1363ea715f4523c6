import { accountIdProblem, credentialKey, type ProviderDescriptor } from '@contacts/core';
import { DbCredentialStore } from '../../credentials/db-credential-store.js';
import { ContactsModuleError } from '../../errors.js';
import { configuredSources } from '../../module/configured-sources.js';
import { defaultProviderRegistry } from '../../module/default-registry.js';
import { type CommandContext, withDatabase } from '../command-context.js';
import { loadCliConfig } from '../load-config.js';
import { openBrowser } from '../open-browser.js';
import { readHidden } from '../read-hidden.js';
import { currentSecretsKey } from '../secrets-key-source.js';
import { pickSources } from '../source-flag.js';

/** Options of `contacts auth <provider>`; the providers' input flags arrive by camel-case name. */
export interface AuthFlags {
  source?: string;
  /** false with `--no-browser`. */
  browser?: boolean;
  /** Seconds to wait for the consent (default {@link DEFAULT_AUTH_TIMEOUT_SECONDS}). */
  timeout?: string;
  [inputFlag: string]: unknown;
}

/** How long `contacts auth` waits for the browser by default. */
export const DEFAULT_AUTH_TIMEOUT_SECONDS = 300;

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function timeoutMs(flag: string | undefined): number {
  if (flag === undefined) return DEFAULT_AUTH_TIMEOUT_SECONDS * 1000;
  const seconds = Number(flag);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new ContactsModuleError('USAGE', '--timeout must be a positive number of seconds, e.g. 300.');
  }
  return seconds * 1000;
}

/**
 * `contacts auth <provider>`: connects an account through the provider's own authorization (a
 * browser consent for OAuth providers) and stores what it yields in the credential store, under
 * the keys of the chosen `--source` (`KEY@account` for an account other than default). Values are
 * never printed.
 */
export async function authCommand(
  ctx: CommandContext,
  providerName: string,
  flags: AuthFlags,
): Promise<number> {
  const registry = defaultProviderRegistry();
  const name = providerName.trim().toLowerCase();
  const descriptor = registry.descriptor(name);
  if (!descriptor) {
    throw new ContactsModuleError(
      'USAGE',
      `No provider ${JSON.stringify(providerName.slice(0, 40))}; registered: ${registry.names().join(', ')}.`,
    );
  }
  const label = descriptor.displayName ?? descriptor.name;
  const authorize = descriptor.authorize;
  if (!authorize) {
    const keys = descriptor.credentials.map((c) => c.key).join(', ');
    throw new ContactsModuleError(
      'USAGE',
      `${label} has no \`contacts auth\`: store its keys (${keys}) with \`contacts secrets set KEY\`.`,
    );
  }
  const deadline = timeoutMs(flags.timeout);
  const all = configuredSources(
    await loadCliConfig(ctx.globals.configPath),
    registry,
    ctx.globals.settingsOverrides,
  );
  const ofProvider = all.filter((s) => s.provider === name);
  // Connecting an account may come before its source table: with none of the provider's
  // configured, or --source naming an account of it that is not, the keys are stored for that
  // account and the command says what to add to the configuration.
  const at = flags.source?.indexOf(':') ?? -1;
  const account = flags.source !== undefined && at >= 0 ? flags.source.slice(at + 1).trim() : undefined;
  const named = account === undefined ? ofProvider : ofProvider.filter((s) => s.accountId === account);
  const configured = ofProvider.length > 0 && named.length > 0;
  const source = configured
    ? pickSources(ofProvider, flags.source ?? (ofProvider.length > 1 ? undefined : name), { all: false })[0]
    : unconfiguredSource(descriptor, name, flags.source, ctx.globals.settingsOverrides[name]);
  if (!source) throw new ContactsModuleError('USAGE', `No ${label} source to authorize.`);
  const keyOf = (field: string) => {
    const requirement = descriptor.credentials.find((c) => c.field === field);
    return requirement ? credentialKey(requirement.key, source.accountId) : undefined;
  };

  const secretsKey = currentSecretsKey(ctx.io, ctx.globals.secretsKeyFile, ctx.redactor);
  const inputs: Record<string, string> = {};
  const settings = (source.settings ?? {}) as Record<string, unknown>;
  for (const input of authorize.inputs) {
    const flag = input.secret ? undefined : flags[camel(input.flag)];
    const fromEnv = input.env ? ctx.io.env[input.env]?.trim() : undefined;
    const fromSetting = input.setting ? settings[input.setting] : undefined;
    if (typeof flag === 'string' && flag.trim()) inputs[input.field] = flag.trim();
    else if (fromEnv) inputs[input.field] = fromEnv;
    else if (typeof fromSetting === 'string' && fromSetting.trim()) inputs[input.field] = fromSetting.trim();
  }
  const fromStore = authorize.inputs.filter(
    (input) => !inputs[input.field] && !input.fresh && keyOf(input.field),
  );
  if (fromStore.length > 0) {
    // The store is opened only for this read: the wait for the browser holds no database (or lock).
    const stored = await withDatabase(ctx, { migrateFirst: true }, async (db) => {
      const store = new DbCredentialStore({ db, butlerSchema: ctx.globals.butlerSchema, secretsKey });
      await store.verify();
      return Promise.all(
        fromStore.map(async (input) => [input.field, await store.get(keyOf(input.field)!)] as const),
      );
    });
    for (const [field, value] of stored) if (value?.trim()) inputs[field] = value.trim();
  }
  for (const input of authorize.inputs) {
    if (inputs[input.field]) continue;
    const key = keyOf(input.field) ?? input.field;
    const where = [
      `--${input.flag}`,
      ...(input.env ? [`$${input.env}`] : []),
      ...(input.setting ? [`\`${input.setting}\` in the source's table`] : []),
      ...(keyOf(input.field) && !input.fresh ? [`\`contacts secrets set ${key}\``] : []),
    ];
    if (!input.secret)
      throw new ContactsModuleError(
        'USAGE',
        `Give ${key}: ${where.slice(0, -1).join(', ')}${where.length > 1 ? ' or ' : ''}${where.at(-1)}.`,
      );
    inputs[input.field] = await readHidden(
      ctx.io.stdin,
      (text) => ctx.io.stderr.write(text),
      `${key} (not shown): `,
      ctx.io.signal,
    );
    if (!inputs[input.field])
      throw new ContactsModuleError(
        'USAGE',
        `${key} is empty: give it on stdin${input.env ? ` or in $${input.env}` : ''}.`,
      );
  }
  ctx.redactor.add(authorize.inputs.filter((i) => i.secret).map((i) => inputs[i.field]));

  const timer = AbortSignal.timeout(deadline);
  const signal = ctx.io.signal ? AbortSignal.any([ctx.io.signal, timer]) : timer;
  let credentials: Readonly<Record<string, string>>;
  try {
    credentials = await authorize.run({
      accountId: source.accountId,
      settings: source.settings,
      inputs,
      signal,
      logger: ctx.logger('info'),
      say: (line) => ctx.out(line),
      showUrl: (url) => {
        ctx.out(`Open this page to allow ${label} access for source ${source.provider}:${source.accountId}:`);
        ctx.out(url);
        if (flags.browser !== false) openBrowser(url);
        ctx.err(`Waiting for the browser (up to ${Math.round(deadline / 1000)} s; Ctrl-C stops).`);
      },
    });
  } catch (error) {
    if (timer.aborted) {
      throw new ContactsModuleError(
        'INTERRUPTED',
        `No answer from the browser within ${Math.round(deadline / 1000)} seconds; nothing was stored. Run it again (--timeout SECONDS to wait longer).`,
      );
    }
    if (ctx.io.signal?.aborted)
      throw new ContactsModuleError('INTERRUPTED', 'Interrupted; nothing was stored.');
    throw error;
  }
  ctx.redactor.add(Object.values(credentials));

  const entries = descriptor.credentials
    .filter((c) => credentials[c.field])
    .map((c) => ({ key: credentialKey(c.key, source.accountId), value: credentials[c.field]! }));
  const table = `${ctx.globals.butlerSchema}.butler_secrets`;
  await withDatabase(ctx, { migrateFirst: true }, async (db) => {
    const store = new DbCredentialStore({ db, butlerSchema: ctx.globals.butlerSchema, secretsKey });
    await store.verify();
    for (const entry of entries) await store.set(entry.key, entry.value, { category: descriptor.name });
  });
  const kept = secretsKey ? `encrypted with key id ${secretsKey.id}` : 'in plain text';
  ctx.out(
    `Stored ${entries.map((e) => e.key).join(', ')} for ${source.provider}:${source.accountId} in ${table}, ${kept}.`,
  );
  if (!configured) {
    const account = source.accountId === 'default' ? '' : `, account_id = "${source.accountId}"`;
    ctx.out(
      `No ${label} source is configured yet: add a [[modules.contacts.sources]] table (provider = "${source.provider}"${account}, and its settings) to the file --config names to sync it.`,
    );
  }
  return 0;
}

/**
 * The source `contacts auth` connects when none of the provider's is configured: the account
 * `--source` names (default `default`), the provider's default settings with the command line's
 * overrides.
 */
function unconfiguredSource(
  descriptor: ProviderDescriptor,
  name: string,
  flag: string | undefined,
  overrides: Readonly<Record<string, unknown>> | undefined,
): { provider: string; accountId: string; settings: unknown } {
  const at = flag?.indexOf(':') ?? -1;
  const provider = (flag === undefined ? name : at < 0 ? flag : flag.slice(0, at)).trim().toLowerCase();
  if (provider !== name) {
    throw new ContactsModuleError(
      'USAGE',
      `--source ${JSON.stringify(flag?.slice(0, 80))} is not a ${name} source: use --source ${name}:ACCOUNT.`,
    );
  }
  const accountId = flag !== undefined && at >= 0 ? flag.slice(at + 1).trim() : 'default';
  const problem = accountId === '' ? 'the account must not be empty' : accountIdProblem(accountId);
  if (problem)
    throw new ContactsModuleError('USAGE', `--source ${name}:${accountId.slice(0, 80)}: ${problem}.`);
  const parsed = descriptor.settings.safeParse(
    Object.fromEntries(Object.entries(overrides ?? {}).filter(([, v]) => v !== undefined)),
  );
  if (!parsed.success) {
    throw new ContactsModuleError(
      'USAGE',
      `No ${descriptor.displayName ?? name} source is configured and its default settings are not enough: add its [[modules.contacts.sources]] table first.`,
    );
  }
  return { provider: name, accountId, settings: parsed.data };
}
