import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { SecretsKey } from '../credentials/secrets-key.js';
import { ContactsModuleError } from '../errors.js';
import type { SecretRedactor } from '../redact.js';
import type { CliIo } from './cli-io.js';
import { ENV } from './options.js';

/** A key file is a line of text: anything longer is not one (and is not read whole). */
const MAX_KEY_FILE_BYTES = 1024;

/** Where one key may come from: a flag naming a file, a variable naming a file, a variable holding it. */
interface KeySources {
  flag: string;
  flagValue: string | null | undefined;
  fileEnv: string;
  valueEnv: string;
}

const CURRENT = { flag: '--secrets-key-file', fileEnv: ENV.secretsKeyFile, valueEnv: ENV.secretsKey };
const NEW = { flag: '--new-key-file', fileEnv: ENV.secretsNewKeyFile, valueEnv: ENV.secretsNewKey };

/**
 * The secrets key of `butler_secrets` as the command was given it: `--secrets-key-file FILE`,
 * else `$CONTACTS_SECRETS_KEY_FILE`, else `$CONTACTS_SECRETS_KEY`; null when none is given. The
 * key's text goes to the redactor first, so no message of the run can carry it.
 *
 * @throws ContactsModuleError `USAGE` when both variables are set (which one is meant?);
 *   `INVALID_SECRETS_KEY` for a malformed key or a key file group or others may read.
 * @example
 * ```ts
 * const key = currentSecretsKey(ctx.io, ctx.globals.secretsKeyFile, ctx.redactor); // SecretsKey | null
 * ```
 */
export function currentSecretsKey(
  io: CliIo,
  flagValue: string | null,
  redactor: SecretRedactor,
): SecretsKey | null {
  return secretsKeyFrom(io, { ...CURRENT, flagValue }, redactor);
}

/**
 * The new key of `contacts secrets rotate-key`: `--new-key-file FILE`, else
 * `$CONTACTS_SECRETS_NEW_KEY_FILE`, else `$CONTACTS_SECRETS_NEW_KEY`.
 *
 * @throws ContactsModuleError `USAGE` when none is given; otherwise as {@link currentSecretsKey}.
 * @example
 * ```ts
 * const newKey = newSecretsKey(ctx.io, flags.newKeyFile, ctx.redactor);
 * ```
 */
export function newSecretsKey(
  io: CliIo,
  flagValue: string | undefined,
  redactor: SecretRedactor,
): SecretsKey {
  const key = secretsKeyFrom(io, { ...NEW, flagValue }, redactor);
  if (!key) {
    throw new ContactsModuleError(
      'USAGE',
      `Give the new secrets key: --new-key-file FILE (a file only you can read), or $${ENV.secretsNewKeyFile} or $${ENV.secretsNewKey}.`,
    );
  }
  return key;
}

function secretsKeyFrom(io: CliIo, sources: KeySources, redactor: SecretRedactor): SecretsKey | null {
  const cwd = io.cwd ?? process.cwd();
  const fromEnvFile = io.env[sources.fileEnv]?.trim();
  const fromEnv = io.env[sources.valueEnv];
  if (sources.flagValue !== undefined && sources.flagValue !== null) {
    if (!sources.flagValue.trim())
      throw new ContactsModuleError('USAGE', `${sources.flag} must name a file, not an empty string.`);
    return readKeyFile(resolve(cwd, sources.flagValue), sources.flag, redactor);
  }
  if (fromEnvFile && fromEnv?.trim()) {
    throw new ContactsModuleError(
      'USAGE',
      `Both $${sources.fileEnv} and $${sources.valueEnv} are set: give the key one way.`,
    );
  }
  if (fromEnvFile) {
    const path = isAbsolute(fromEnvFile) ? fromEnvFile : resolve(cwd, fromEnvFile);
    return readKeyFile(path, `$${sources.fileEnv}`, redactor);
  }
  if (fromEnv === undefined || !fromEnv.trim()) return null;
  redactor.add([fromEnv.trim()]);
  return SecretsKey.parse(fromEnv, `$${sources.valueEnv}`);
}

/**
 * Reads a key file, refusing one that group or others may read or write (as ssh refuses such a
 * private key: a key anyone can read protects nothing), one another user owns, or anything but a
 * small regular file.
 */
function readKeyFile(path: string, label: string, redactor: SecretRedactor): SecretsKey {
  const refuse = (why: string) => new ContactsModuleError('INVALID_SECRETS_KEY', `${label} ${path}: ${why}`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw refuse(
      code === 'ENOENT'
        ? 'no such file.'
        : code === 'EACCES'
          ? 'permission denied.'
          : `cannot be read (${String(code)}).`,
    );
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw refuse('not a regular file.');
    if (process.platform !== 'win32') {
      if ((stat.mode & 0o077) !== 0) {
        const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
        throw refuse(
          `group or others may read or write it (mode ${mode}); a key others can read protects nothing. Run \`chmod 600 ${path}\`.`,
        );
      }
      const uid = process.getuid?.();
      if (uid !== undefined && stat.uid !== uid && stat.uid !== 0) {
        throw refuse(`owned by another user (uid ${stat.uid}); the key file must be yours (or root's).`);
      }
    }
    if (stat.size > MAX_KEY_FILE_BYTES) throw refuse(`${stat.size} bytes: too large to be a key file.`);
    const buffer = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, length).toString('utf8');
    buffer.fill(0);
    redactor.add([text.trim()]);
    return SecretsKey.parse(text, `${label} ${path}`);
  } finally {
    closeSync(fd);
  }
}
