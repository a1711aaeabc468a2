/**
 * Tracing helpers for the message path. They use only `@opentelemetry/api`; when tracing is
 * off (no `startTracing`, or no OTLP endpoint) they return at once without allocating, so
 * the hot path pays a boolean check and nothing more.
 */
import { context, propagation, trace, SpanKind, SpanStatusCode, type Attributes, type Context, type Span } from '@opentelemetry/api';

interface TracingState {
  enabled: boolean;
  shutdown: () => Promise<void>;
}

/** Set by `startTracing` (tracing.ts); read here so the helpers cost nothing when off. */
export const tracingState: TracingState = { enabled: false, shutdown: async () => {} };

const tracer = () => trace.getTracer('chitchat');

/** The W3C `traceparent` of the active span, to put in a stream entry or live event. */
export function currentTraceparent(): string | undefined {
  if (!tracingState.enabled) return undefined;
  const carrier: { traceparent?: string } = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/**
 * Starts a span whose parent is the span named by `traceparent` (from a stream entry or live
 * event); a span without a parent when there is none. Undefined when tracing is off.
 */
export function startSpanFrom(name: string, traceparent: string | undefined, attributes: Attributes, kind = SpanKind.CONSUMER): Span | undefined {
  if (!tracingState.enabled) return undefined;
  const parent = traceparent ? propagation.extract(context.active(), { traceparent }) : context.active();
  return tracer().startSpan(name, { kind, attributes }, parent);
}

/** Runs `fn` with `span` active, so Redis commands it sends are the span's children. */
export function withSpan<T>(span: Span | undefined, fn: () => T): T {
  return span ? context.with(trace.setSpan(context.active(), span), fn) : fn();
}

/** The `traceparent` of a span (for the next hop of a message). */
export function traceparentOf(span: Span | undefined): string | undefined {
  if (!span) return undefined;
  const carrier: { traceparent?: string } = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  return carrier.traceparent;
}

/** Ends a span, recording an error if there was one. */
export function endSpan(span: Span | undefined, err?: unknown): void {
  if (!span) return;
  if (err instanceof Error) {
    span.recordException(err);
    span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
  } else if (typeof err === 'string') {
    span.setStatus({ code: SpanStatusCode.ERROR, message: err });
  } else if (err !== undefined) {
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** `trace_id` and `span_id` of the active span, for log lines (empty when there is none). */
export function logTraceFields(): { trace_id?: string; span_id?: string } {
  if (!tracingState.enabled) return {};
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

export type { Context, Span };

/** Flushes and stops the exporter (part of a graceful stop); a no-op when tracing is off. */
export async function stopTracing(): Promise<void> {
  await tracingState.shutdown();
}
