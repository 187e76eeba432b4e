// RFC 6381 codec strings (avc1.64001f, hvc1.1.6.L93.B0, mp4a.40.2) from an init segment's moov,
// as camera_agent/capture/codecs.py makes them for a clip's manifest. A live session has no
// manifest: the init record (authenticated under the session key, so written by the device) is
// where the browser learns what MediaSource must take. A malformed box gives the bare 4CC,
// which isTypeSupported then refuses, never an exception.

const LATIN1 = new TextDecoder("latin1");
// Bytes before a sample entry's child boxes (ISO/IEC 14496-12 8.5.2, 12.1, 12.2).
const VISUAL_ENTRY_FIELDS = 8 + 70;
const AUDIO_ENTRY_FIELDS = 8 + 20;

interface Box {
  type: string;
  body: Uint8Array;
}

function boxes(data: Uint8Array): Box[] {
  const out: Box[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  while (offset + 8 <= data.length) {
    let size = view.getUint32(offset);
    let header = 8;
    if (size === 1) {
      if (offset + 16 > data.length) break;
      size = Number(view.getBigUint64(offset + 8));
      header = 16;
    } else if (size === 0) {
      size = data.length - offset;
    }
    if (size < header || offset + size > data.length) break;
    out.push({ type: LATIN1.decode(data.subarray(offset + 4, offset + 8)), body: data.subarray(offset + header, offset + size) });
    offset += size;
  }
  return out;
}

function child(data: Uint8Array | undefined, type: string): Uint8Array | undefined {
  return data === undefined ? undefined : boxes(data).find((b) => b.type === type)?.body;
}

function hex2(value: number): string {
  return value.toString(16).padStart(2, "0");
}

function hevcSuffix(config: Uint8Array): string {
  const byte1 = config[1] ?? 0;
  const space = ["", "A", "B", "C"][byte1 >> 6] ?? "";
  const tier = byte1 & 0x20 ? "H" : "L";
  // The 32 compatibility flags are written in reverse bit order, in hex without leading zeros.
  const flags = new DataView(config.buffer, config.byteOffset + 2, 4).getUint32(0);
  let reversed = 0;
  for (let bit = 0; bit < 32; bit++) if (flags & (1 << bit)) reversed |= 1 << (31 - bit);
  const constraints = [...config.subarray(6, 12)];
  while (constraints.length > 0 && constraints[constraints.length - 1] === 0) constraints.pop();
  const parts = [`${space}${byte1 & 0x1f}`, (reversed >>> 0).toString(16), `${tier}${config[12] ?? 0}`];
  return [...parts, ...constraints.map((b) => b.toString(16).toUpperCase())].join(".");
}

/** MPEG-4 descriptors laid end to end, by tag (ISO/IEC 14496-1 8.3.3). */
function descriptors(data: Uint8Array): Map<number, Uint8Array> {
  const found = new Map<number, Uint8Array>();
  let offset = 0;
  while (offset + 2 <= data.length) {
    const tag = data[offset++] ?? 0;
    let length = 0;
    for (let i = 0; i < 4; i++) {
      if (offset >= data.length) return found;
      const byte = data[offset++] ?? 0;
      length = (length << 7) | (byte & 0x7f);
      if (!(byte & 0x80)) break;
    }
    if (!found.has(tag)) found.set(tag, data.subarray(offset, offset + length));
    offset += length;
  }
  return found;
}

function mp4aString(esdsBody: Uint8Array): string {
  const es = descriptors(esdsBody).get(0x03);
  if (es === undefined || es.length < 3) return "mp4a";
  const flags = es[2] ?? 0;
  let offset = 3 + (flags & 0x80 ? 2 : 0) + (flags & 0x20 ? 2 : 0);
  if (flags & 0x40 && offset < es.length) offset += 1 + (es[offset] ?? 0);
  const decoderConfig = descriptors(es.subarray(offset)).get(0x04);
  if (decoderConfig === undefined || decoderConfig.length < 13) return "mp4a";
  const objectType = decoderConfig[0] ?? 0;
  if (objectType !== 0x40) return `mp4a.${objectType.toString(16)}`;
  const specific = descriptors(decoderConfig.subarray(13)).get(0x05);
  if (specific === undefined || specific.length === 0) return "mp4a.40";
  let audioObjectType = (specific[0] ?? 0) >> 3;
  if (audioObjectType === 31 && specific.length >= 2) {
    audioObjectType = 32 + ((((specific[0] ?? 0) & 0x07) << 3) | ((specific[1] ?? 0) >> 5));
  }
  return `mp4a.40.${audioObjectType}`;
}

/** The codec string of one sample entry; the bare 4CC when it is not understood. */
export function sampleEntryCodec(entry: Box): string {
  if (entry.type === "avc1" || entry.type === "avc3") {
    const avcc = child(entry.body.subarray(VISUAL_ENTRY_FIELDS), "avcC");
    if (avcc !== undefined && avcc.length >= 4) return `${entry.type}.${hex2(avcc[1] ?? 0)}${hex2(avcc[2] ?? 0)}${hex2(avcc[3] ?? 0)}`;
  } else if (entry.type === "hvc1" || entry.type === "hev1") {
    const hvcc = child(entry.body.subarray(VISUAL_ENTRY_FIELDS), "hvcC");
    if (hvcc !== undefined && hvcc.length >= 13) return `${entry.type}.${hevcSuffix(hvcc)}`;
  } else if (entry.type === "mp4a") {
    const esds = child(entry.body.subarray(AUDIO_ENTRY_FIELDS), "esds");
    if (esds !== undefined && esds.length > 4) return mp4aString(esds.subarray(4));
  }
  return entry.type;
}

export interface InitCodecs {
  /** "video/mp4" with a video track, else "audio/mp4". */
  mime: string;
  /** Video first: "avc1.64001f,mp4a.40.2". */
  codecs: string;
  hasAudio: boolean;
}

/** The MIME type and codecs of an init segment (ftyp + moov). */
export function initCodecs(init: Uint8Array): InitCodecs {
  const tracks: Array<{ handler: string; codec: string }> = [];
  for (const trak of boxes(child(init, "moov") ?? new Uint8Array()).filter((b) => b.type === "trak")) {
    const mdia = child(trak.body, "mdia");
    const hdlr = child(mdia, "hdlr");
    const stsd = child(child(child(mdia, "minf"), "stbl"), "stsd");
    if (hdlr === undefined || hdlr.length < 12 || stsd === undefined || stsd.length < 8) continue;
    const handler = LATIN1.decode(hdlr.subarray(8, 12));
    const entry = boxes(stsd.subarray(8))[0];
    if (entry !== undefined) tracks.push({ handler, codec: sampleEntryCodec(entry) });
  }
  tracks.sort((a, b) => Number(a.handler !== "vide") - Number(b.handler !== "vide"));
  const hasVideo = tracks.some((t) => t.handler === "vide");
  return {
    mime: hasVideo ? "video/mp4" : "audio/mp4",
    codecs: tracks.map((t) => t.codec).join(","),
    hasAudio: tracks.some((t) => t.handler === "soun"),
  };
}
