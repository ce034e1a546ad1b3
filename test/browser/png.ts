// Just enough PNG reading to assert something about a screenshot: its size
// from the IHDR chunk, and how many distinct byte values its pixels hold
// (1 for a blank image; rendered text gives dozens).
import { inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngSummary {
  readonly width: number;
  readonly height: number;
  /** Distinct byte values in the decompressed scanlines (filter bytes included). */
  readonly distinctBytes: number;
}

export function readPng(png: Buffer): PngSummary {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  let width = 0;
  let height = 0;
  const data: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
    } else if (type === 'IDAT') {
      data.push(body);
    }
    at += 12 + length;
  }
  const pixels = inflateSync(Buffer.concat(data));
  return { width, height, distinctBytes: new Set(pixels).size };
}
