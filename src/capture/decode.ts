import { promisify } from 'node:util';
import zlib from 'node:zlib';
import LZString from 'lz-string';
import { HedgerowError } from '../errors.js';
import { sanitizeJsonText } from '../unicode.js';

const gunzip = promisify(zlib.gunzip);

export interface RawCaptureRequest {
  body: Buffer | undefined;
  query: Record<string, string | undefined>;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  /** Cap on the decoded (decompressed) payload in bytes; exceeding it is a 413. */
  limit: number;
}

type Compression = 'gzip' | 'lz64' | 'base64' | undefined;

function compressionFrom(hint: string | undefined): Compression {
  switch (hint?.trim().toLowerCase()) {
    case 'gzip':
    case 'gzip-js':
      return 'gzip';
    case 'lz64':
    case 'lz-string':
      return 'lz64';
    case 'base64':
    case 'b64':
      return 'base64';
    default:
      return undefined; // unknown hints are ignored, as PostHog's capture does
  }
}

const BASE64_PREFIX = /^[A-Za-z0-9+/=]*$/;
const FORM_LIKE = /(^|&)(data|_|ip|compression|ver)=/;

/**
 * PostHog's "looks like strict base64" test: the first 128 characters in the alphabet and a length
 * that is a multiple of 4. Takes the head only, so a large body is never copied to be checked.
 */
function looksLikeBase64(head: string, length: number): boolean {
  return length > 0 && length % 4 === 0 && BASE64_PREFIX.test(head.slice(0, 128));
}

function isGzip(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function tooLarge(limit: number): HedgerowError {
  return new HedgerowError('payload_too_large', `decoded payload exceeds the limit of ${limit} bytes for this endpoint`);
}

async function inflate(bytes: Buffer, limit: number): Promise<Buffer> {
  try {
    // maxOutputLength stops decompression bombs before they are expanded in memory.
    return await gunzip(bytes, { maxOutputLength: limit });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw tooLarge(limit);
    throw new HedgerowError('request_decoding_error', `body is not valid gzip: ${(err as Error).message}`);
  }
}

function fromLz64(text: string, limit: number): string {
  let out: string | null;
  try {
    out = LZString.decompressFromBase64(text.trim());
  } catch (err) {
    throw new HedgerowError('request_decoding_error', `body is not valid lz64 (LZ-String base64): ${(err as Error).message}`);
  }
  if (!out) throw new HedgerowError('request_decoding_error', 'body is not valid lz64 (LZ-String base64)');
  if (Buffer.byteLength(out) > limit) throw tooLarge(limit);
  return out;
}

function fromBase64(text: string): Buffer {
  const clean = text.trim();
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean)) throw new HedgerowError('request_decoding_error', 'body is not valid base64');
  return Buffer.from(clean, 'base64');
}

function parseForm(raw: Buffer): { data: string; compression: string | undefined } {
  const form = new URLSearchParams(raw.toString('utf8'));
  const data = form.get('data');
  if (data === null || data.length === 0) {
    throw new HedgerowError('request_decoding_error', 'form-encoded body has no data= field');
  }
  // Form decoding turned base64 '+' into spaces; put them back.
  return { data: data.replace(/ /g, '+'), compression: form.get('compression') ?? undefined };
}

/**
 * Turns a capture request into the JSON value it carries, following PostHog's capture detection:
 * `data` query parameter or body; form `data=`; compression hint from query, form field or
 * Content-Encoding; gzip also by magic bytes (posthog-js sends gzip as text/plain with no hint);
 * lz64; base64, including bodies that are base64 without saying so.
 */
export async function decodeCapturePayload(req: RawCaptureRequest): Promise<unknown> {
  const fromQuery = req.query.data;
  // Query-string decoding turned base64 '+' into spaces; put them back.
  let raw: Buffer = fromQuery ? Buffer.from(fromQuery.replace(/ /g, '+'), 'utf8') : (req.body ?? Buffer.alloc(0));
  if (raw.length === 0) throw new HedgerowError('empty_payload', 'request has no body and no data= parameter');

  let hintSource: string | undefined = req.query.compression;
  const mediaType = req.contentType?.split(';')[0]?.trim().toLowerCase();
  if (!fromQuery && mediaType === 'application/x-www-form-urlencoded') {
    const form = parseForm(raw);
    raw = Buffer.from(form.data, 'utf8');
    hintSource ??= form.compression;
  }
  hintSource ??= req.contentEncoding;
  const compression = compressionFrom(hintSource);

  let bytes = raw;
  let text: string | undefined;
  if (compression === 'lz64') {
    text = fromLz64(raw.toString('utf8'), req.limit);
    // LZ-String yields UTF-16 code units as they were compressed, so raw lone surrogates can come out.
    if (!text.isWellFormed()) text = text.toWellFormed();
  } else {
    if (!isGzip(bytes)) {
      const head = bytes.subarray(0, 128).toString('latin1');
      if (compression === 'base64' || (!FORM_LIKE.test(head) && looksLikeBase64(head, bytes.length))) {
        bytes = fromBase64(bytes.toString('latin1'));
      }
    }
    if (compression === 'gzip' || isGzip(bytes)) bytes = await inflate(bytes, req.limit);
    if (bytes.length > req.limit) throw tooLarge(req.limit);
    text = bytes.toString('utf8');
    // Legacy endpoints: a decoded body that is still base64 is decoded once more.
    if (looksLikeBase64(text.slice(0, 128), text.trimEnd().length)) {
      const again = fromBase64(text);
      text = (isGzip(again) ? await inflate(again, req.limit) : again).toString('utf8');
    }
  }

  try {
    // Lone surrogate escapes become U+FFFD before parsing, as in PostHog's capture. NUL stays (events
    // keep it, as in PostHog); it is replaced only where it heads for Postgres (person processing).
    return JSON.parse(sanitizeJsonText(text, false));
  } catch (err) {
    throw new HedgerowError('request_parsing_error', `body is not valid JSON: ${(err as Error).message}`);
  }
}
