// A decrypted copy of a clip, made in the browser: the whole stream object through the
// verifying decryptor (every chunk, sizes and hash checked against the manifest), as a Blob.

export interface DownloadProgress {
  (receivedBytes: number, totalBytes: number): void;
}

/** Read `body` through `decrypt` into one Blob; throws (and yields nothing) on any refusal. */
export async function decryptToBlob(
  body: ReadableStream<Uint8Array>,
  decrypt: TransformStream<Uint8Array, Uint8Array>,
  totalCiphertextBytes: number,
  type: string,
  progress?: DownloadProgress,
): Promise<Blob> {
  let received = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      received += chunk.length;
      progress?.(received, totalCiphertextBytes);
      controller.enqueue(chunk);
    },
  });
  const parts: BlobPart[] = [];
  const reader = body.pipeThrough(counter).pipeThrough(decrypt).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(new Uint8Array(value));
  }
  // Only a stream that finished (last chunk seen, hash matched) reaches this line.
  return new Blob(parts, { type });
}

/** "<camera>_<UTC start>.mp4" with only filename-safe characters. */
export function clipFileName(cameraName: string, startMs: number): string {
  const stamp = new Date(startMs).toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[:]/g, "-");
  const camera = cameraName.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "") || "camera";
  return `${camera}_${stamp}.mp4`;
}

/** Offer a Blob as a download through a temporary link. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
