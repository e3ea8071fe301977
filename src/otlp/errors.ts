/**
 * A request body that is not a valid OTLP message. The receiver refuses the request as invalid and sends
 * the message back, so it is written for whoever runs the sender.
 */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
  /** Where in the message, e.g. `resourceMetrics[0].scopeMetrics[1].metrics[3]`; '' for the whole body. */
  readonly path: string;
  /** What was wrong, without the path. */
  readonly detail: string;

  constructor(detail: string, path = '') {
    super(path === '' ? detail : `${shorten(path)}: ${detail}`);
    this.path = path;
    this.detail = detail;
  }

  /**
   * The same error seen from the enclosing message. Decoders build the path on the way out of a failure
   * rather than on the way in, so well-formed requests pay nothing for it.
   */
  within(segment: string): OtlpDecodeError {
    if (this.path === '') return new OtlpDecodeError(this.detail, segment);
    const joined = this.path.startsWith('[') ? `${segment}${this.path}` : `${segment}.${this.path}`;
    return new OtlpDecodeError(this.detail, joined);
  }
}

/** Deeply nested values make long paths; the message keeps both ends, `path` keeps all of it. */
function shorten(path: string): string {
  return path.length <= 200 ? path : `${path.slice(0, 100)}…${path.slice(-100)}`;
}
