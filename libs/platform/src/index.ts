export { ConfigError, commonConfig, loadConfig } from './config.ts';
export { createLogger, redactUrl, type Logger } from './logger.ts';
export { createRedis, connectRedis, closeRedis, type Redis, type RedisRole, type RedisConnectionOptions } from './redis.ts';
export { loadLuaScripts, type LuaScript } from './lua.ts';
export { SessionStore, UsernameTakenError, bearerToken, type Session, type CreatedSession } from './sessions.ts';
export { ApiError, problem } from './errors.ts';
export { createHttpApp, listen, openApiDocument, type HttpApp, type HttpAppOptions } from './http.ts';
export { healthPlugin, redisCheck, type Health, type ReadinessCheck } from './health.ts';
export { requireSession, sessionOf } from './auth.ts';
