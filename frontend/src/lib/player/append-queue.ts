// One SourceBuffer's appends, one at a time: MSE refuses an append (or a remove, a
// timestampOffset change) while the buffer is updating, so every caller waits for it to be idle.
// Shared by the clip player and the live player.

export class SourceBufferQueue {
  constructor(
    readonly buffer: SourceBuffer,
    /** What a refused append says (the browser's "error" event carries no reason). */
    private readonly refusal: string,
  ) {}

  /** Resolves once no append or remove is running. */
  idle(): Promise<void> {
    const buffer = this.buffer;
    if (!buffer.updating) return Promise.resolve();
    return new Promise((resolve) => buffer.addEventListener("updateend", () => resolve(), { once: true }));
  }

  /** Append after the buffer is idle; `stillWanted` is asked again then (a seek may have begun). */
  async append(data: Uint8Array, stillWanted: () => boolean = () => true): Promise<void> {
    await this.idle();
    if (!stillWanted()) return;
    const buffer = this.buffer;
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        buffer.removeEventListener("error", failed);
        resolve();
      };
      const failed = (): void => {
        buffer.removeEventListener("updateend", done);
        reject(new Error(this.refusal));
      };
      buffer.addEventListener("updateend", done, { once: true });
      buffer.addEventListener("error", failed, { once: true });
      buffer.appendBuffer(new Uint8Array(data));
    });
  }

  async remove(start: number, end: number): Promise<void> {
    await this.idle();
    this.buffer.remove(start, end);
    await this.idle();
  }
}
