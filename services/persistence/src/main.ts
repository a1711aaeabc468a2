import { startTracing } from '@chitchat/platform/tracing';

// Tracing starts before the service's modules load, so that the libraries it instruments
// (ioredis, fastify) are patched when they are first imported.
await startTracing('persistence');
await import('./server.ts');
