/**
 * A tiny ZIP writer for tests that need hostile archives: it writes exactly what it is told, with no
 * validation, so that names (`../x`, `/x`, `C:\x`), external attributes (unix symlink mode) and the
 * declared sizes in the headers can lie.
 *
 * Layout per APPNOTE.TXT 6.3.10 (PKWARE), §4.3.7 local file header, §4.3.12 central directory header,
 * §4.3.16 end of central directory record. No ZIP64, no data descriptors, no encryption.
 */
import { crc32, deflateRawSync } from "node:zlib";

/** One entry to write. Everything that a hostile archive might lie about can be set. */
export interface ZipWriterEntry {
  /** The raw file name; a string is written as UTF-8 (and bit 11 is set when it is not ASCII). */
  name: string | Buffer;
  /** The entry's real content (before compression). */
  data: Buffer | Uint8Array | string;
  /** 0 = stored, 8 = deflated (node:zlib deflateRawSync). Default 8. */
  method?: 0 | 8;
  /** Central directory "external file attributes" (unix mode in the high 16 bits). Default: 0o100644 << 16. */
  externalAttributes?: number;
  /** Central directory "version made by"; the high byte is the host (3 = unix). Default 0x0314 (unix, 2.0). */
  versionMadeBy?: number;
  /** Uncompressed size written in both headers instead of the real one. */
  declaredUncompressedSize?: number;
  /** Compressed size written in both headers instead of the real one. */
  declaredCompressedSize?: number;
  /** Compression method number written in both headers instead of `method` (e.g. 12 = bzip2). */
  declaredMethod?: number;
  /** CRC-32 written in both headers instead of the real one. */
  declaredCrc32?: number;
  /** General purpose bit flag (e.g. 0x1 = encrypted). Default 0, or 0x800 for non-ASCII names. */
  flags?: number;
}

/** Unix mode bits for the external attributes of a regular file, a directory and a symlink. */
export const UNIX_MODE = {
  file: 0o100644,
  directory: 0o040755,
  symlink: 0o120777,
} as const;

/** External attributes carrying a unix mode (high 16 bits), as Info-ZIP writes them. */
export function unixAttributes(mode: number): number {
  return (mode << 16) >>> 0;
}

/** Build a ZIP archive from `entries`, writing the given (possibly lying) metadata verbatim. */
export function writeZip(entries: readonly ZipWriterEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = typeof entry.name === "string" ? Buffer.from(entry.name, "utf8") : entry.name;
    const raw = typeof entry.data === "string" ? Buffer.from(entry.data, "utf8") : Buffer.from(entry.data);
    const method = entry.method ?? 8;
    const body = method === 8 ? deflateRawSync(raw) : raw;
    const crc = (entry.declaredCrc32 ?? crc32(raw)) >>> 0;
    const compressedSize = entry.declaredCompressedSize ?? body.length;
    const uncompressedSize = entry.declaredUncompressedSize ?? raw.length;
    const nonAscii = typeof entry.name === "string" && /[^\x00-\x7f]/.test(entry.name);
    const flags = entry.flags ?? (nonAscii ? 0x800 : 0);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(entry.declaredMethod ?? method, 8);
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE(0x21, 12); // date 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressedSize >>> 0, 18);
    local.writeUInt32LE(uncompressedSize >>> 0, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // extra field length
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(entry.versionMadeBy ?? 0x0314, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(entry.declaredMethod ?? method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressedSize >>> 0, 20);
    central.writeUInt32LE(uncompressedSize >>> 0, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30); // extra
    central.writeUInt16LE(0, 32); // comment
    central.writeUInt16LE(0, 34); // disk number start
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE((entry.externalAttributes ?? unixAttributes(UNIX_MODE.file)) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + body.length;
  }
  const centralDirectory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20);
  return Buffer.concat([...locals, centralDirectory, end]);
}
