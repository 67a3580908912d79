import { Controller, Get, Header, HttpCode, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Broker } from '../broker/broker.js';
import { ServerLifecycle } from '../core/server-lifecycle.js';
import { RoomService } from '../rooms/room.service.js';
import { ErrorAnswer } from '../openapi/api-answers.js';
import { ServerTotals } from './server-totals.service.js';
import { HealthAnswer, StatsAnswer, UnhealthyAnswer } from './stats-answers.js';

@ApiTags('monitoring')
@Controller()
export class StatsController {
  constructor(
    private readonly rooms: RoomService,
    private readonly broker: Broker,
    private readonly totals: ServerTotals,
    private readonly lifecycle: ServerLifecycle,
  ) {}

  /** The whole server's counters (every worker's, with WORKERS=N). */
  @Get('stats')
  @ApiOperation({ summary: "The server's counters" })
  @ApiOkResponse({ type: StatsAnswer })
  @ApiServiceUnavailableResponse({ description: 'With WORKERS=N: no worker answered through the primary', type: ErrorAnswer })
  @Header('Cache-Control', 'no-store')
  snapshot() {
    return this.totals.stats();
  }

  /** This process's health: a load balancer probes each worker it reaches. */
  @Get('healthz')
  @ApiOperation({ summary: "This process's health" })
  @ApiOkResponse({ type: HealthAnswer })
  @ApiServiceUnavailableResponse({ description: 'Draining, or the configured broker is down', type: UnhealthyAnswer })
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  health() {
    if (this.lifecycle.draining) throw new ServiceUnavailableException({ status: 'draining' });
    const broker = this.broker.health();
    if (!broker.ok) throw new ServiceUnavailableException({ status: 'broker down', reason: broker.reason });
    return { status: 'ok', connections: this.rooms.connectionCount };
  }

  @Get('metrics')
  @ApiOperation({ summary: 'Prometheus metrics of the whole server' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format', schema: { type: 'string' } })
  @ApiServiceUnavailableResponse({ description: 'With WORKERS=N: no worker answered through the primary', type: ErrorAnswer })
  async prometheus(@Res() response: Response): Promise<void> {
    response.type(this.totals.contentType).send(await this.totals.prometheus());
  }
}
