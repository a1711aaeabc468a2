import { ErrorCode, wireCode, type ErrorCodeName, type Problem } from '@chitchat/contracts';

/** An error the API reports to the client as problem+json with a stable code. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: ErrorCodeName;
  readonly status: number;
  /** Extra response headers, such as `Retry-After`. */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCodeName, detail: string, options: { cause?: unknown; headers?: Record<string, string> } = {}) {
    super(detail, { cause: options.cause });
    this.code = code;
    this.status = ErrorCode[code].status;
    this.headers = options.headers ?? {};
  }
}

/** The RFC 9457 body of an error code. */
export function problem(code: ErrorCodeName, detail: string): Problem {
  const { status, title } = ErrorCode[code];
  const wire = wireCode(code);
  return { type: `https://chitchat.dev/problems/${wire}`, title, status, detail, code: wire };
}
