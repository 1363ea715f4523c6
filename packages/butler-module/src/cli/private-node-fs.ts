import type { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

type PostgresModule = Parameters<NodeFS['init']>[1];
type Ops = Record<string, unknown>;
type ModeAttr = { mode?: number | null } & Record<string, unknown>;

/** Group and others' permission bits: never given to a file of the embedded database. */
const GROUP_AND_OTHERS = 0o077;

const privateMode = (mode: number): number => mode & ~GROUP_AND_OTHERS;
const privateAttr = (attr: ModeAttr): ModeAttr =>
  attr.mode == null ? attr : { ...attr, mode: privateMode(attr.mode) };

/**
 * Wraps Emscripten's NODEFS operations that set a mode (`mknod` creates a file or directory,
 * `setattr` is `chmod`/`fchmod`) so that they never give group or others a bit. Returns false
 * when NODEFS does not have the expected shape (another PGlite build): the data directory's own
 * mode (0700) then still keeps others out, and the next open repairs the files.
 */
function privatise(nodefs: unknown): boolean {
  const fs = nodefs as { node_ops?: Ops; stream_ops?: Ops } | undefined;
  const nodeOps = fs?.node_ops;
  const streamOps = fs?.stream_ops;
  const { mknod, setattr } = nodeOps ?? {};
  const streamSetattr = streamOps?.setattr;
  if (!nodeOps || !streamOps) return false;
  if (typeof mknod !== 'function' || typeof setattr !== 'function' || typeof streamSetattr !== 'function') {
    return false;
  }
  nodeOps.mknod = function (this: unknown, parent: unknown, name: string, mode: number, dev: number) {
    return mknod.call(this, parent, name, privateMode(mode), dev);
  };
  nodeOps.setattr = function (this: unknown, node: unknown, attr: ModeAttr) {
    return setattr.call(this, node, privateAttr(attr));
  };
  streamOps.setattr = function (this: unknown, stream: unknown, attr: ModeAttr) {
    return streamSetattr.call(this, stream, privateAttr(attr));
  };
  return true;
}

/**
 * PGlite's Node filesystem whose files are created 0600 and directories 0700 for as long as the
 * database is open (WAL segments appear later too).
 *
 * A umask cannot do this: PostgreSQL in PGlite asks for 0666 and 0777 (there is no umask inside
 * Emscripten) and NODEFS applies the mode with `chmod` right after creating each file, which no
 * umask narrows. So the mode is narrowed where NODEFS applies it. The operations belong to the
 * Emscripten module of this one PGlite instance: nothing else in the process is affected.
 *
 * @example
 * ```ts
 * const pg = await PGlite.create({ fs: new PrivateNodeFS('/home/me/.contacts/pgdata') });
 * ```
 */
export class PrivateNodeFS extends NodeFS {
  /** Whether the modes are narrowed (false only on a PGlite build whose NODEFS looks different). */
  narrowed = false;

  override async init(pg: PGlite, opts: Partial<PostgresModule>): ReturnType<NodeFS['init']> {
    const { emscriptenOpts } = await super.init(pg, opts);
    const narrow = (mod: PostgresModule) => {
      this.narrowed = privatise(mod.NODEFS);
    };
    return { emscriptenOpts: { ...emscriptenOpts, preRun: [narrow, ...(emscriptenOpts.preRun ?? [])] } };
  }
}
