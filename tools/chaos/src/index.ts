export { Cluster, isRunning, type ClusterOptions } from './cluster.ts';
export { runSoak, type SoakOptions, type SoakReport } from './soak.ts';
