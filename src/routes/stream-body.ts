const encoder = new TextEncoder();

/**
 * Text chunks as a response body made on demand: the next chunk is produced only when the
 * connection has taken the last one (the server waits for `drain`), so a slow client holds back
 * the producer instead of piling its body up in memory. `end` runs once, however the body ends:
 * sent to the end, failed, or the client gone (the server cancels the stream on close).
 */
export function textStream(chunks: AsyncGenerator<string>, end: () => void): ReadableStream<Uint8Array> {
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    end();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (next.done) {
            close();
            controller.close();
          } else {
            controller.enqueue(encoder.encode(next.value));
          }
        } catch (err) {
          close();
          controller.error(err);
        }
      },
      async cancel() {
        close();
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
