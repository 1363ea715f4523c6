/**
 * Codes of the errors `@contacts/butler-module` throws: branch on these, never on message text.
 *
 * @example
 * ```ts
 * const code: ContactsModuleErrorCode = 'MISSING_CREDENTIALS';
 * ```
 */
export type ContactsModuleErrorCode =
  /** `[modules.contacts] provider` names a provider this module cannot start. */
  | 'UNSUPPORTED_PROVIDER'
  /** `[modules.contacts]` (or a butler.toml) could not be read as a valid config. */
  | 'INVALID_CONFIG'
  /** The host gave no credential store; contacts never falls back to environment variables. */
  | 'CREDENTIAL_STORE_MISSING'
  /** The credential store lacks one of the provider's credentials (the keys are named, never values). */
  | 'MISSING_CREDENTIALS'
  /** A provider factory built a provider whose `name()` is not the configured provider. */
  | 'PROVIDER_MISMATCH'
  /** `onStartup` was called twice without `onShutdown` in between. */
  | 'ALREADY_STARTED'
  /** The sync runtime is not running: sync disabled, module not started, or shut down. */
  | 'RUNTIME_NOT_RUNNING'
  /** The source asked us to wait (rate limit) and the wait is not over. */
  | 'RATE_LIMITED'
  /** A secret key or value the credential store refuses. */
  | 'INVALID_SECRET'
  /** The credential store's database failed (the message keeps the driver's words, never a value). */
  | 'CREDENTIAL_STORE_FAILED'
  /** A secrets key that is not 32 bytes as hex or base64, or a key file others may read. */
  | 'INVALID_SECRETS_KEY'
  /** `butler_secrets` holds encrypted secrets and no secrets key was given. */
  | 'SECRETS_KEY_MISSING'
  /** The secrets key given is not the one the secrets were encrypted with (or a value was altered). */
  | 'SECRETS_KEY_WRONG'
  /** Another process holds the embedded database's data directory. */
  | 'DATA_DIR_LOCKED'
  /** PostgreSQL refused the connection or did not answer within the connect timeout. */
  | 'DATABASE_UNREACHABLE'
  /** The command was stopped by a signal (SIGINT, SIGTERM, SIGHUP) before it finished. */
  | 'INTERRUPTED'
  /** The command line was used wrongly. */
  | 'USAGE';

/**
 * The typed error of `@contacts/butler-module` (the spec's `RuntimeError`): a `code` to branch on,
 * a message a person can act on (never a secret in it), and the underlying `cause` when there is one.
 *
 * @example
 * ```ts
 * try {
 *   await module.onStartup({ config: { provider: 'carddav' }, db, butlerSchema, credentialStore });
 * } catch (error) {
 *   if (error instanceof ContactsModuleError && error.code === 'UNSUPPORTED_PROVIDER') console.error(error.message);
 * }
 * ```
 */
export class ContactsModuleError extends Error {
  override readonly name = 'ContactsModuleError';
  constructor(
    readonly code: ContactsModuleErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
