/**
 * Records everything written through console and process.stdout/stderr while a test file runs,
 * so the file can prove at its end that no secret reached a log line. `text(from)` is what was
 * written after the first `from` lines (`count()` at some point): what one test of a file that
 * shares a sandbox between tests caused.
 */
export function captureLogs(): { text: (from?: number) => string; count: () => number } {
  const lines: string[] = [];
  const record = (...args: unknown[]) => {
    lines.push(args.map((a) => (typeof a === 'string' ? a : (JSON.stringify(a) ?? String(a)))).join(' '));
  };
  beforeAll(() => {
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      jest.spyOn(console, level).mockImplementation(record);
    }
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream);
      jest.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
        record(String(chunk));
        return original(chunk as string, ...(rest as []));
      }) as typeof stream.write);
    }
  });
  afterAll(() => jest.restoreAllMocks());
  return { text: (from = 0) => lines.slice(from).join('\n'), count: () => lines.length };
}
