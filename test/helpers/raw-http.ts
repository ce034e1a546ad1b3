// A deliberately small HTTP client on node:net. The conformance suite needs
// what node:http hides: the exact bytes sent (no implicit headers), headers
// exactly as received (raw names, order, duplicates), and the body one
// HTTP/1.1 chunk at a time, because PROTOCOL.md section 5 requires each
// prelude and each frame to travel as its own chunk.
import net from 'node:net';
import type { TestContext } from 'node:test';

/** Default bound for every read; the server answers on loopback in milliseconds. */
export const DEFAULT_READ_TIMEOUT = 3000;

export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

export interface RawRequest {
  readonly method: string;
  /** Request target exactly as sent, e.g. `/echo/000/abc/xhr?t=1`. */
  readonly path: string;
  /** Sent verbatim and in order. Only `Host` and (with a body) `Content-Length` are ever added, see below. */
  readonly headers?: HeaderList;
  readonly body?: string | Buffer;
  readonly httpVersion?: '1.0' | '1.1';
  /**
   * `Host` is mandatory in HTTP/1.1, so it is added unless the caller gives one.
   * `Content-Length` is added for a non-empty body unless the caller gives one or
   * passes `contentLength: false` (HttpQuirks needs a POST without it).
   */
  readonly contentLength?: boolean;
}

/** How the end of a response body is recognised (RFC 9112 section 6.3). */
export type BodyFraming = 'none' | 'chunked' | 'length' | 'close' | 'upgrade';

/** Buffers socket data so that parsers can await exact byte counts or lines. */
export class ByteReader {
  #buffered: Buffer = Buffer.alloc(0);
  #ended = false;
  #error: Error | null = null;
  #wake: (() => void) | null = null;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (data: Buffer) => {
      this.#buffered = this.#buffered.length === 0 ? data : Buffer.concat([this.#buffered, data]);
      this.#notify();
    });
    socket.on('end', () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on('error', (err) => {
      // A reset after the server closed is still "the peer went away" for our purposes.
      this.#error = err;
      this.#ended = true;
      this.#notify();
    });
  }

  /** True once the peer has closed its side and every buffered byte was consumed. */
  get atEof(): boolean {
    return this.#ended && this.#buffered.length === 0;
  }

  get bufferedBytes(): number {
    return this.#buffered.length;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Waits until `ready()` holds or the socket ends; false on end, throws on timeout. */
  async #waitFor(ready: () => boolean, what: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (this.#ended) return false;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; buffered: ${preview(this.#buffered)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return true;
  }

  #take(n: number): Buffer {
    const out = this.#buffered.subarray(0, n);
    this.#buffered = this.#buffered.subarray(n);
    return out;
  }

  /** Exactly `n` bytes; throws if the stream ends first. */
  async readExactly(n: number, timeoutMs = DEFAULT_READ_TIMEOUT): Promise<Buffer> {
    const ok = await this.#waitFor(() => this.#buffered.length >= n, `${n} bytes`, timeoutMs);
    if (!ok) throw new Error(`stream ended after ${this.#buffered.length} of ${n} expected bytes: ${preview(this.#buffered)}${this.#errorNote()}`);
    return this.#take(n);
  }

  /** Bytes up to and including CRLF, returned without it; null if the stream ends cleanly before any byte. */
  async readLine(timeoutMs = DEFAULT_READ_TIMEOUT): Promise<string | null> {
    const ok = await this.#waitFor(() => this.#buffered.includes('\r\n'), 'a CRLF-terminated line', timeoutMs);
    if (!ok) {
      if (this.#buffered.length === 0) return null;
      throw new Error(`stream ended inside a line: ${preview(this.#buffered)}${this.#errorNote()}`);
    }
    const idx = this.#buffered.indexOf('\r\n');
    const line = this.#take(idx + 2);
    return line.subarray(0, idx).toString('latin1');
  }

  /** Whatever is buffered, or the next data to arrive; null at EOF. */
  async readSome(timeoutMs = DEFAULT_READ_TIMEOUT): Promise<Buffer | null> {
    const ok = await this.#waitFor(() => this.#buffered.length > 0, 'more data', timeoutMs);
    if (!ok) return null;
    return this.#take(this.#buffered.length);
  }

  /** Everything until the peer closes. */
  async readToEnd(timeoutMs = DEFAULT_READ_TIMEOUT): Promise<Buffer> {
    await this.#waitFor(() => false, 'the connection to close', timeoutMs);
    return this.#take(this.#buffered.length);
  }

  /** Resolves once the peer has closed the connection (data still buffered is kept). */
  async waitForEnd(timeoutMs = DEFAULT_READ_TIMEOUT): Promise<void> {
    await this.#waitFor(() => false, 'the connection to close', timeoutMs);
  }

  #errorNote(): string {
    return this.#error ? ` (socket error: ${this.#error.message})` : '';
  }
}

export function preview(buf: Buffer, max = 120): string {
  const s = JSON.stringify(buf.subarray(0, max).toString('latin1'));
  return buf.length > max ? `${s}… (${buf.length} bytes)` : s;
}

export interface ResponseHead {
  /** e.g. `1.1` from the status line */
  readonly httpVersion: string;
  readonly status: number;
  readonly statusText: string;
  /** Header lines as received: original name spelling, order and duplicates preserved. */
  readonly rawHeaders: HeaderList;
}

/** Case-insensitive lookups over a received header list. */
export class Headers {
  constructor(readonly raw: HeaderList) {}

  /** All values of a header, in order. */
  all(name: string): string[] {
    const lower = name.toLowerCase();
    return this.raw.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
  }

  /** The single value of a header; undefined if absent; throws if repeated (a repeated header is a bug worth seeing). */
  get(name: string): string | undefined {
    const values = this.all(name);
    if (values.length > 1) throw new Error(`header ${name} received ${values.length} times: ${JSON.stringify(values)}`);
    return values[0];
  }

  has(name: string): boolean {
    return this.all(name).length > 0;
  }

  /** Header names in received order, lower-cased. */
  names(): string[] {
    return this.raw.map(([n]) => n.toLowerCase());
  }
}

/** A response whose body is read incrementally from its connection. */
export class RawResponse implements ResponseHead {
  readonly headers: Headers;
  readonly framing: BodyFraming;
  #remainingLength: number;
  #done = false;

  constructor(
    readonly head: ResponseHead,
    readonly reader: ByteReader,
    requestMethod: string,
  ) {
    this.headers = new Headers(head.rawHeaders);
    this.framing = bodyFraming(head, this.headers, requestMethod);
    this.#remainingLength = this.framing === 'length' ? Number(this.headers.get('content-length')) : 0;
    if (this.framing === 'none') this.#done = true;
  }

  get httpVersion(): string {
    return this.head.httpVersion;
  }
  get status(): number {
    return this.head.status;
  }
  get statusText(): string {
    return this.head.statusText;
  }
  get rawHeaders(): HeaderList {
    return this.head.rawHeaders;
  }

  /** True once the body's end was read (terminating chunk, full length, or EOF). */
  get complete(): boolean {
    return this.#done;
  }

  /**
   * The next piece of the body, or null when the body has ended.
   * chunked: exactly one HTTP chunk's data (the terminating zero-size chunk → null).
   * close-delimited / upgrade: whatever bytes arrived next (→ null at EOF).
   * length: the rest of the declared length.
   */
  async nextChunk(timeoutMs = DEFAULT_READ_TIMEOUT): Promise<Buffer | null> {
    if (this.#done) return null;
    switch (this.framing) {
      case 'chunked': {
        const sizeLine = await this.reader.readLine(timeoutMs);
        if (sizeLine === null) throw new Error('connection closed before the terminating chunk');
        const size = parseInt(sizeLine.split(';')[0]!.trim(), 16);
        if (!Number.isFinite(size) || size < 0) throw new Error(`bad chunk size line ${JSON.stringify(sizeLine)}`);
        if (size === 0) {
          // Trailer section ends with an empty line.
          for (;;) {
            const trailer = await this.reader.readLine(timeoutMs);
            if (trailer === null || trailer === '') break;
          }
          this.#done = true;
          return null;
        }
        const data = await this.reader.readExactly(size, timeoutMs);
        const crlf = await this.reader.readExactly(2, timeoutMs);
        if (crlf.toString('latin1') !== '\r\n') throw new Error(`chunk of ${size} bytes not followed by CRLF`);
        return data;
      }
      case 'length': {
        const data = await this.reader.readExactly(this.#remainingLength, timeoutMs);
        this.#remainingLength = 0;
        this.#done = true;
        return data.length === 0 ? null : data;
      }
      case 'close':
      case 'upgrade': {
        const data = await this.reader.readSome(timeoutMs);
        if (data === null) this.#done = true;
        return data;
      }
      case 'none':
        return null;
    }
  }

  /** `nextChunk` as UTF-8 text; fails the test if the body ended instead. */
  async nextChunkText(timeoutMs = DEFAULT_READ_TIMEOUT): Promise<string> {
    const chunk = await this.nextChunk(timeoutMs);
    if (chunk === null) throw new Error('expected another body chunk, but the response body ended');
    return chunk.toString('utf8');
  }

  /** Exactly n body bytes regardless of chunking (used for HTTP/1.0 close-delimited bodies). */
  async readBytes(n: number, timeoutMs = DEFAULT_READ_TIMEOUT): Promise<Buffer> {
    if (this.framing !== 'close' && this.framing !== 'upgrade') throw new Error(`readBytes needs a close-delimited body, framing is ${this.framing}`);
    return this.reader.readExactly(n, timeoutMs);
  }

  /** The whole remaining body, concatenated. */
  async readBody(timeoutMs = DEFAULT_READ_TIMEOUT): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (;;) {
      const chunk = await this.nextChunk(timeoutMs);
      if (chunk === null) return Buffer.concat(parts);
      parts.push(chunk);
    }
  }
}

function bodyFraming(head: ResponseHead, headers: Headers, method: string): BodyFraming {
  if (head.status === 101) return 'upgrade';
  if (method === 'HEAD' || (head.status >= 100 && head.status < 200) || head.status === 204 || head.status === 304) return 'none';
  const te = headers.get('transfer-encoding');
  if (te !== undefined && te.toLowerCase().split(',').map((s) => s.trim()).includes('chunked')) return 'chunked';
  if (headers.has('content-length')) return 'length';
  return 'close';
}

/** One TCP connection to the server; requests are sent sequentially (keep-alive). */
export class RawHttpConnection {
  readonly reader: ByteReader;

  private constructor(
    readonly socket: net.Socket,
    readonly port: number,
  ) {
    this.reader = new ByteReader(socket);
  }

  static async open(port: number, host = '127.0.0.1'): Promise<RawHttpConnection> {
    const socket = net.connect({ port, host });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawHttpConnection(socket, port);
  }

  /** Serialises a request exactly as described by `req` (see RawRequest for the two defaulted headers). */
  static serialize(req: RawRequest, port: number): Buffer {
    const headers: Array<readonly [string, string]> = [...(req.headers ?? [])];
    const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
    const body = req.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
    if (!has('host')) headers.unshift(['Host', `127.0.0.1:${port}`]);
    if (req.contentLength !== false && body.length > 0 && !has('content-length')) headers.push(['Content-Length', String(body.length)]);
    const head = `${req.method} ${req.path} HTTP/${req.httpVersion ?? '1.1'}\r\n` + headers.map(([n, v]) => `${n}: ${v}\r\n`).join('') + '\r\n';
    return Buffer.concat([Buffer.from(head, 'latin1'), body]);
  }

  /** Writes raw bytes (e.g. a hixie-76 key3 after the handshake head). */
  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Sends the request and resolves once the response status line and headers are in. */
  async request(req: RawRequest, timeoutMs = DEFAULT_READ_TIMEOUT): Promise<RawResponse> {
    this.socket.write(RawHttpConnection.serialize(req, this.port));
    return this.readResponse(req.method, timeoutMs);
  }

  /** Reads one response head from the connection (for a request already written). */
  async readResponse(method: string, timeoutMs = DEFAULT_READ_TIMEOUT): Promise<RawResponse> {
    const statusLine = await this.reader.readLine(timeoutMs);
    if (statusLine === null) throw new Error('connection closed before a response arrived');
    const m = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(statusLine);
    if (!m) throw new Error(`bad status line ${JSON.stringify(statusLine)}`);
    const rawHeaders: Array<[string, string]> = [];
    for (;;) {
      const line = await this.reader.readLine(timeoutMs);
      if (line === null) throw new Error('connection closed inside the response head');
      if (line === '') break;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`bad header line ${JSON.stringify(line)}`);
      rawHeaders.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
    }
    return new RawResponse({ httpVersion: m[1]!, status: Number(m[2]), statusText: m[3] ?? '', rawHeaders }, this.reader, method);
  }

  /** True once the server has closed the connection (waits up to timeoutMs for that). */
  async closedByPeer(timeoutMs = DEFAULT_READ_TIMEOUT): Promise<boolean> {
    try {
      await this.reader.waitForEnd(timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  /** Abruptly drops the connection, as a client that navigates away would. */
  destroy(): void {
    this.socket.destroy();
  }
}

/** Opens a connection that is destroyed when test `t` finishes, whatever happens in it. */
export async function connect(t: TestContext, port: number): Promise<RawHttpConnection> {
  const conn = await RawHttpConnection.open(port);
  t.after(() => conn.destroy());
  return conn;
}

/** A complete response: the body is read to its end and the connection closed. */
export interface FullResponse extends ResponseHead {
  readonly headers: Headers;
  readonly framing: BodyFraming;
  readonly body: Buffer;
  /** body decoded as UTF-8 */
  readonly text: string;
}

/** One request on a fresh connection, whole body read, connection closed afterwards. */
export async function httpRequest(port: number, req: RawRequest, timeoutMs = DEFAULT_READ_TIMEOUT): Promise<FullResponse> {
  const conn = await RawHttpConnection.open(port);
  try {
    const res = await conn.request(req, timeoutMs);
    const body = res.framing === 'upgrade' ? Buffer.alloc(0) : await res.readBody(timeoutMs);
    return {
      httpVersion: res.httpVersion,
      status: res.status,
      statusText: res.statusText,
      rawHeaders: res.rawHeaders,
      headers: res.headers,
      framing: res.framing,
      body,
      text: body.toString('utf8'),
    };
  } finally {
    conn.destroy();
  }
}
