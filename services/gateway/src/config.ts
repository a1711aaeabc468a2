import { Type } from 'typebox';
import { commonConfig, loadConfig, sessionConfig } from '@chitchat/platform';

export const gatewayConfigSchema = {
  ...commonConfig,
  ...sessionConfig,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3002, description: 'gateway WebSocket/HTTP port' }),
  HEARTBEAT_MS: Type.Integer({ minimum: 100, default: 30_000, description: 'WebSocket ping interval; a socket silent for two is dropped' }),
  SESSION_TOUCH_MS: Type.Integer({ minimum: 100, default: 60_000, description: 'how often an open socket extends (and re-checks) its session' }),
  MAX_PAYLOAD_BYTES: Type.Integer({ minimum: 256, default: 8192, description: 'largest client frame; larger closes with 1009' }),
  MAX_BUFFERED_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576, description: 'unsent bytes per socket before it is closed as a slow consumer (4408)' }),
  PRESENCE_COALESCE_MS: Type.Integer({ minimum: 0, default: 250, description: 'presence frames to a room at most once per this window (the latest list wins); 0: every change' }),
  GAP_CHECK_MS: Type.Integer({ minimum: 100, default: 3000, description: "how often each room's delivery is compared with its log head (fills what pub/sub lost)" }),
  CATCHUP_PAGE: Type.Integer({ minimum: 1, maximum: 10_000, default: 500, description: 'room log entries read per catch-up step' }),
  ALLOWED_ORIGINS: Type.String({ default: 'http://localhost:8080,http://127.0.0.1:8080', description: 'comma-separated Origins a browser may connect from (others: close 1008); `*` allows any' }),
  MAX_CONNECTIONS_PER_USER: Type.Integer({ minimum: 1, default: 20, description: 'open sockets per user on one gateway (more: close 1008)' }),
  MAX_CONNECTIONS_PER_IP: Type.Integer({ minimum: 1, default: 200, description: 'open sockets per client IP on one gateway (more: close 1008)' }),
  MAX_SUBSCRIPTIONS: Type.Integer({ minimum: 1, default: 100, description: 'rooms one socket may subscribe to' }),
  FRAME_RATE: Type.Integer({ minimum: 1, default: 20, description: 'client frames per second a socket may send on average (burst: twice that); more get an error and are dropped' }),
  CLOSE_SPREAD_MS: Type.Integer({ minimum: 0, default: 1000, description: 'on shutdown, sockets are closed (1001) spread over this long, so clients do not all reconnect at once' }),
  PRESENCE_TTL_MS: Type.Integer({ minimum: 200, default: 30_000, description: "a killed gateway's users leave presence within this" }),
  TYPING_THROTTLE_MS: Type.Integer({ minimum: 0, default: 2000, description: 'at most one typing notice per user and room in this window' }),
};

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadConfig(gatewayConfigSchema, env);
}
