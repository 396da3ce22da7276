/**
 * What every bridge process opens first (server, worker, CLI commands): the secret box, storage, logger and
 * metrics; then, by role, the connector factory, the sync service and a scheduler — in-process on SQLite, pg-boss
 * on PostgreSQL.
 */
import type { BridgeConfig } from "../config.js";
import { InProcessScheduler } from "../jobs/in-process-scheduler.js";
import type { SyncQueue } from "../jobs/job.js";
import { PgBossQueue } from "../jobs/pg-boss-queue.js";
import { createLogger, type Logger } from "../observability/logger.js";
import { createMetrics, type Metrics } from "../observability/metrics.js";
import { countUpstreamRequests } from "../observability/upstream-requests.js";
import { loadSecretBox, type SecretBox } from "../security/secret-box.js";
import { openStorage, type Storage } from "../storage/index.js";
import { type BridgeConnectors, createServiceConnectorFactory, serviceEndpoints } from "./service-connectors.js";
import { SyncService } from "./sync-service.js";

export interface Runtime {
  config: BridgeConfig;
  box: SecretBox;
  storage: Storage;
  logger: Logger;
  metrics: Metrics;
  close(): Promise<void>;
}

export async function openRuntime(
  config: BridgeConfig,
  logger = createLogger({ level: config.logLevel }),
): Promise<Runtime> {
  const box = await loadSecretBox(config.keySource);
  const storage = await openStorage(config.storage, box);
  const metrics = createMetrics({ defaultMetrics: true });
  const stopCounting = countUpstreamRequests(metrics);
  return {
    config,
    box,
    storage,
    logger,
    metrics,
    close: () => {
      stopCounting();
      return storage.close();
    },
  };
}

/** The process's connectors, from the stored settings; ports report "not configured" until setup is done. */
export function openConnectors(runtime: Runtime): Promise<BridgeConnectors> {
  return createServiceConnectorFactory(
    runtime.storage,
    serviceEndpoints(runtime.config.graphUrl, runtime.config.entra.authorityHost),
  );
}

export interface Scheduling {
  queue: SyncQueue;
  service: SyncService;
  connectors: BridgeConnectors;
  stop(): Promise<void>;
}

/**
 * The scheduler for this process. SQLite: in-process jobs. PostgreSQL: pg-boss; jobs are worked here only when
 * `work` (a `bridge worker`, or a server with BRIDGE_SERVER_WORKS_JOBS=1).
 */
export async function openScheduling(runtime: Runtime, work: boolean): Promise<Scheduling> {
  const { config, storage, logger, metrics } = runtime;
  const connectors = await openConnectors(runtime);
  const service = new SyncService({ storage, connectors, logger, metrics });
  if (config.storage.kind === "sqlite") {
    const queue = new InProcessScheduler({ runner: service.run, logger, maxConcurrent: config.maxConcurrentSyncs });
    return {
      queue,
      service,
      connectors,
      async stop() {
        await queue.stop();
        await connectors.close();
      },
    };
  }
  // A start that fails half-way closes what it opened: connectors and a started pg-boss keep the process alive, and a
  // worker that neither works nor exits is never restarted by its supervisor.
  const closeConnectors = () => connectors.close().catch(() => undefined);
  const queue = await PgBossQueue.open({
    url: config.storage.url,
    logger,
    schema: `${config.storage.schema}_jobs`,
    expireInSeconds: config.jobExpireSeconds,
    pollingIntervalSeconds: config.jobPollSeconds,
    maintenanceIntervalSeconds: Math.min(60, config.jobExpireSeconds),
  }).catch(async (error: unknown) => {
    await closeConnectors();
    throw error;
  });
  try {
    if (work) await queue.work(service.run, config.workerConcurrency);
  } catch (error) {
    await queue.stop().catch(() => undefined);
    await closeConnectors();
    throw error;
  }
  return {
    queue,
    service,
    connectors,
    async stop() {
      await queue.stop();
      await connectors.close();
    },
  };
}
