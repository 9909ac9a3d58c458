import { FreerideError } from '@freeride/contracts';

import {
  BadRequestException,
  Controller,
  Get,
  type INestApplication,
  Module,
  type OnModuleInit,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Logger } from 'nestjs-pino';
import { Writable } from 'node:stream';
import request from 'supertest';

import { HealthRegistry } from './health/health-registry.service';
import { ObservabilityModule } from './observability.module';

class QuoteMissingError extends FreerideError {
  constructor(symbol: string) {
    super('no quote for symbol', {
      code: 'QUOTE_MISSING',
      details: { symbol },
      httpStatus: 404,
    });
  }
}

@Controller('demo')
class DemoController {
  @Get('boom')
  boom(): never {
    throw new Error('database password=hunter2 rejected');
  }

  @Get('bad')
  bad(): never {
    throw new BadRequestException('symbol: must be upper case');
  }

  @Get('domain')
  domain(): never {
    throw new QuoteMissingError('ZZZ');
  }
}

let redisUp = true;

@Module({ controllers: [DemoController] })
class DemoModule implements OnModuleInit {
  constructor(private readonly health: HealthRegistry) {}

  onModuleInit(): void {
    this.health.register('redis', async () => ({
      details: { reason: redisUp ? undefined : 'connection refused' },
      status: redisUp ? 'up' : 'down',
    }));
  }
}

describe('ObservabilityModule', () => {
  let app: INestApplication;
  const lines: string[] = [];

  beforeAll(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().trim().split('\n'));
        done();
      },
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        ObservabilityModule.forRoot({
          logStream: stream,
          serviceName: 'demo',
          serviceVersion: '1.2.3',
        }),
        DemoModule,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ bufferLogs: true });
    app.useLogger(app.get(Logger));
    await app.init();
  });

  afterAll(async () => {
    await app.close();
  });

  describe('GET /health/live', () => {
    it('answers 200 without consulting dependencies', async () => {
      redisUp = false;
      const res = await request(app.getHttpServer()).get('/health/live');
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('ok');
    });
  });

  describe('GET /health/ready', () => {
    it('answers 503 naming the dependency that is down', async () => {
      redisUp = false;
      const res = await request(app.getHttpServer()).get('/health/ready');
      expect(res.status).toBe(503);
      expect(res.body.error.redis).toEqual({
        reason: 'connection refused',
        status: 'down',
      });
    });

    it('answers 200 when every dependency is up', async () => {
      redisUp = true;
      const res = await request(app.getHttpServer()).get('/health/ready');
      expect(res.status).toBe(200);
      expect(res.body.info.redis.status).toBe('up');
    });
  });

  describe('GET /metrics', () => {
    it('serves default metrics under the app prefix and request durations', async () => {
      await request(app.getHttpServer()).get('/demo/bad');
      const res = await request(app.getHttpServer()).get('/metrics');
      expect(res.status).toBe(200);
      expect(res.text).toContain(
        'freeride_demo_process_cpu_user_seconds_total',
      );
      expect(res.text).toMatch(
        /http_server_request_duration_seconds_count\{[^}]*route="\/demo\/bad"[^}]*status_code="400"/,
      );
    });
  });

  describe('AllExceptionsFilter', () => {
    it('maps an unknown error to a generic 500 without leaking its message', async () => {
      const res = await request(app.getHttpServer()).get('/demo/boom');
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({
        error: 'INTERNAL',
        message: 'Internal server error',
        statusCode: 500,
      });
      expect(JSON.stringify(res.body)).not.toContain('hunter2');
    });

    it('keeps the message of an HttpException', async () => {
      const res = await request(app.getHttpServer()).get('/demo/bad');
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('symbol: must be upper case');
    });

    it('maps a domain error to its status, code and details', async () => {
      const res = await request(app.getHttpServer()).get('/demo/domain');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        details: { symbol: 'ZZZ' },
        error: 'QUOTE_MISSING',
        message: 'no quote for symbol',
        statusCode: 404,
      });
    });

    it('logs the error once at error level as an ECS line', async () => {
      lines.length = 0;
      await request(app.getHttpServer()).get('/demo/boom');
      const errors = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l['log.level'] === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        message: 'request failed with an unexpected error',
        'service.name': 'demo',
      });
      expect(errors[0]['@timestamp']).toEqual(expect.any(String));
    });
  });

  describe('request logging', () => {
    it('writes no request line for /health and /metrics', async () => {
      lines.length = 0;
      await request(app.getHttpServer()).get('/health/live');
      await request(app.getHttpServer()).get('/metrics');
      expect(lines.filter((l) => l.includes('request completed'))).toEqual([]);
    });

    it('redacts the authorization header and credential query parameters', async () => {
      lines.length = 0;
      await request(app.getHttpServer())
        .get('/demo/bad?symbol=IBM&apikey=SECRETKEY')
        .set('authorization', 'Bearer SECRETTOKEN');
      const text = lines.join('\n');
      expect(text).toContain('apikey=[REDACTED]');
      expect(text).not.toContain('SECRETKEY');
      expect(text).not.toContain('SECRETTOKEN');
    });
  });
});
