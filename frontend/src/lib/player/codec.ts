// Can this browser play a clip? MediaSource.isTypeSupported on the manifest's own codec string,
// and a named reason for HEVC, which cameras often send and Chromium's MSE does not take.

export type Playability =
  | { playable: true; mime: string }
  | { playable: false; mime: string; reason: "no-mse" | "hevc" | "unsupported" };

type TypeCheck = (mime: string) => boolean;

export function isHevc(codecs: string): boolean {
  return codecs.split(",").some((codec) => /^(hvc1|hev1|dvh1|dvhe)(\.|$)/i.test(codec.trim()));
}

export function mseTypeCheck(): TypeCheck | null {
  const source = (globalThis as { MediaSource?: { isTypeSupported(mime: string): boolean } }).MediaSource;
  return source === undefined ? null : (mime) => source.isTypeSupported(mime);
}

export function playability(mime: string, codecs: string, check: TypeCheck | null = mseTypeCheck()): Playability {
  const full = `${mime}; codecs="${codecs}"`;
  if (check === null) return { playable: false, mime: full, reason: "no-mse" };
  if (check(full)) return { playable: true, mime: full };
  return { playable: false, mime: full, reason: isHevc(codecs) ? "hevc" : "unsupported" };
}
