// Reading request bodies on /api/v1 with a size limit measured after decompression, while
// streaming: a gzip bomb is cut off at the limit, never inflated in memory (docs/reliability.md §13).
import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';

export class BodyError extends Error {
  override name = 'BodyError';
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
    /** False when the rest of the request was not read: the answer must close the connection. */
    readonly drained = true,
  ) {
    super(message);
  }
}

/** Deflate never grows data by more than a few bytes per 16 KiB block: more input than this is not a real body. */
const compressedAllowance = (limit: number) => limit + Math.ceil(limit / 1024) + 1024;
/**
 * A refused body is still read to its end (discarded, never inflated) up to this many bytes, so
 * the client, still sending, gets the answer instead of a reset connection; beyond, it is cut.
 */
const DRAIN_LIMIT = 16 * 1024 * 1024;

/**
 * The body, decompressed (`Content-Encoding: gzip` or none), at most `limit` bytes, else a
 * BodyError 413. Other encodings are 415, a corrupt gzip stream 400.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const gzip = encoding === 'gzip';
  const rawLimit = gzip ? compressedAllowance(limit) : limit;
  const declared = Number(req.headers['content-length'] ?? 0);

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let rawSize = 0;
    let refused: BodyError | null = null;
    let settled = false;
    const gunzip = gzip ? createGunzip() : null;
    const settle = (err: BodyError | Error | null) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    /** Stops decoding; answers once the rest has been read, or at once if that is too much. */
    const refuse = (err: BodyError) => {
      if (refused) return;
      refused = err;
      chunks.length = 0;
      gunzip?.destroy();
      if (req.complete) settle(err);
      else if (declared > DRAIN_LIMIT) settle(new BodyError(err.status, err.message, false));
    };
    const tooLarge = () => new BodyError(413, `The body is over ${limit} bytes${gzip ? ' once decompressed' : ''}`);

    // Fed by hand rather than piped: a pipe pauses the request when its destination goes, and a
    // refused request must keep flowing to its end. The raw limit bounds what gunzip buffers.
    req.on('data', (chunk: Buffer) => {
      rawSize += chunk.length;
      if (refused && rawSize > DRAIN_LIMIT) settle(new BodyError(refused.status, refused.message, false));
      else if (rawSize > rawLimit) refuse(tooLarge());
      else if (!refused) gunzip?.write(chunk);
    });
    // A plain body is complete with the request; a gzip body once inflated (below).
    req.once('end', () => {
      if (refused || !gzip) settle(refused);
      else gunzip!.end();
    });
    req.once('error', (err) => settle(err));
    req.once('aborted', () => settle(new Error('request aborted')));

    if (encoding !== 'identity' && !gzip) return refuse(new BodyError(415, `Content-Encoding ${encoding} is not supported; send gzip or none`));
    if (declared > rawLimit) return refuse(tooLarge());
    (gunzip ?? req).on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) return refuse(tooLarge());
      chunks.push(chunk);
    });
    if (gunzip) {
      gunzip.once('error', () => refuse(new BodyError(400, 'The body is not valid gzip')));
      gunzip.once('end', () => {
        if (!refused) settle(null);
      });
    }
  });
}
