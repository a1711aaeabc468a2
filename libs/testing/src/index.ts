export { defer } from './cleanup.ts';
export { startTestRedis, startRedisProcess, freePort, waitForLine, type TestRedis } from './redis-server.ts';
export { startServiceProcess, type ServiceProcess } from './processes.ts';
export { startRedisCluster, type TestRedisCluster, type ClusterNode } from './redis-cluster.ts';
export { TestWsClient } from './ws-client.ts';
export { ChatClient, type ChatClientOptions, type ReceivedMessage } from './chat-client.ts';
export { Sender, type AcceptedMessage } from './sender.ts';
export { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp.ts';
export { monitorCommands, type CommandLog } from './monitor.ts';
