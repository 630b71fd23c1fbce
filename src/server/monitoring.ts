// Health, readiness and Prometheus metrics for the gateway and the back office, served on the same
// port as their WebSocket (the gateway's public port, the back office's internal link port):
//   GET /healthz  the process is alive                         → 200 "ok"
//   GET /readyz   it can do its job (gateway: link to the back office up; back office: ledger open)
//                 → 200 "ready", or 503 with the reasons, one per line
//   GET /metrics  Prometheus text format (prom-client): ops/s, latency, queue depth, connections, link state
// Nothing here says anything about a customer: counters are by operation and outcome only.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface Readiness {
  /** Reasons it is not ready; empty when it is. */
  problems(): string[];
}

export class Monitoring {
  readonly registry = new Registry();

  constructor(
    role: 'gateway' | 'backoffice',
    private readonly readiness: Readiness,
  ) {
    this.registry.setDefaultLabels({ role });
    collectDefaultMetrics({ register: this.registry, prefix: 'ccc_' });
  }

  /** Answers the monitoring paths; returns false for any other request (the caller answers it). */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || !['/healthz', '/readyz', '/metrics'].includes(path)) return false;
    if (path === '/healthz') return reply(res, 200, 'ok\n');
    if (path === '/readyz') {
      const problems = this.readiness.problems();
      return reply(res, problems.length ? 503 : 200, problems.length ? problems.join('\n') + '\n' : 'ready\n');
    }
    void this.registry.metrics().then(
      (text) => reply(res, 200, text, this.registry.contentType),
      () => reply(res, 500, 'metrics unavailable\n'),
    );
    return true;
  }

  counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  gauge(name: string, help: string, collect: () => number | Promise<number>): Gauge<string> {
    return new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await collect());
      },
    });
  }

  histogram(name: string, help: string, labelNames: string[] = []): Histogram<string> {
    // Seconds, from a cache hit (0.5 ms) to a slow group commit on a busy disk (2.5 s).
    return new Histogram({ name, help, labelNames, registers: [this.registry], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
  }
}

function reply(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): true {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
  return true;
}

/** What a plain HTTP request to a WebSocket port gets when it is not a monitoring path. */
export function upgradeRequired(res: ServerResponse): void {
  res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket' });
  res.end('This is a WebSocket endpoint (and /healthz, /readyz, /metrics).\n');
}
