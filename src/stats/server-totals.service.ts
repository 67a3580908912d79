import { Injectable, type OnModuleDestroy, ServiceUnavailableException } from '@nestjs/common';
import cluster from 'node:cluster';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { type Collected, WorkerReports } from '../cluster/worker-reports.js';
import { MetricsService } from './metrics.service.js';
import { combineStats, type ProcessStats, type ServerStats, StatsSnapshot } from './stats-snapshot.js';

interface Report {
  stats: ProcessStats;
  metrics: MetricObjectWithValues<MetricValue<string>>[];
}

/**
 * What /stats and /metrics answer: this process's numbers, or with WORKERS=N every
 * worker's, collected through the cluster primary whichever worker the request reached
 * (cluster/worker-reports.ts) and merged by prom-client's AggregatorRegistry.
 */
@Injectable()
export class ServerTotals implements OnModuleDestroy {
  private readonly reports: WorkerReports<Report> | undefined;

  constructor(
    private readonly snapshot: StatsSnapshot,
    private readonly metrics: MetricsService,
  ) {
    if (WorkerReports.available()) {
      this.reports = new WorkerReports<Report>(async () => ({
        stats: snapshot.local(),
        metrics: await metrics.registry.getMetricsAsJSON(),
      }));
    }
  }

  onModuleDestroy(): void {
    this.reports?.close();
  }

  async stats(): Promise<ProcessStats | ServerStats> {
    if (!this.reports) return this.snapshot.local();
    const { reports, missing } = await this.collect();
    return combineStats(
      reports.map(({ worker, pid, report }) => ({ worker, pid, ...report.stats })),
      missing,
      cluster.worker!.id,
    );
  }

  async prometheus(): Promise<string> {
    if (!this.reports) return this.metrics.render();
    const { reports } = await this.collect();
    return AggregatorRegistry.aggregate(reports.map(({ report }) => report.metrics)).metrics();
  }

  get contentType(): string {
    return this.metrics.contentType;
  }

  private async collect(): Promise<Collected<Report>> {
    try {
      const collected = await this.reports!.collect();
      if (collected.reports.length > 0) return collected;
    } catch {
      // Answered below.
    }
    throw new ServiceUnavailableException('the other workers did not answer');
  }
}
