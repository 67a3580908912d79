import { Validator } from '@seriousme/openapi-schema-validator';
import { get, postForm } from './support/http.js';
import { type RunningServer, startExample, startServer } from './support/server.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;

/** Every route Nest mapped, from its start-up log: `POST /rooms/{room}/comments`, in OpenAPI's path syntax. */
function mappedRoutes(output: string): string[] {
  return [...output.matchAll(/Mapped \{([^,]+), (\w+)\} route/g)].map(
    ([, path, method]) => `${method} ${path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`,
  );
}

/** Every operation of the document, in the same form. */
function documentedRoutes(document: any): string[] {
  return Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method] !== undefined).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

async function validate(document: unknown): Promise<{ valid: boolean; errors?: unknown }> {
  const validator = new Validator();
  // A copy: the validator resolves $refs in place.
  return validator.validate(structuredClone(document) as Parameters<Validator['validate']>[0]);
}

describe('OpenAPI description of the REST API', () => {
  let server: RunningServer;
  let document: any;
  beforeAll(async () => {
    server = await startServer();
    const answer = await get(server.http, '/openapi.json');
    expect(answer.status).toBe(200);
    document = answer.body;
  });
  afterAll(() => server.stop());

  it('is a valid OpenAPI document', async () => {
    expect(document.openapi).toMatch(/^3\./);
    const result = await validate(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('describes every route Nest mapped, and the direct publish route', () => {
    const mapped = mappedRoutes(server.output());
    expect(mapped).toContain('POST /push/room');
    expect(mapped.length).toBeGreaterThan(10);
    const documented = documentedRoutes(document);
    expect(mapped.filter((route) => !documented.includes(route))).toEqual([]);
    // DirectPublishRoute is no Nest route: it answers these two paths of the document.
    expect(documented).toEqual(expect.arrayContaining(['POST /rooms/{room}/comments', 'POST /rooms/{room}/comments/batch']));
  });

  it('gives the bodies from the DTOs, go-push forms included, and the error answers', () => {
    const schemas = document.components.schemas;
    expect(schemas.CommentDto.required).toEqual(['text']);
    expect(schemas.CommentDto.properties.mode.enum).toEqual(['scroll', 'top', 'bottom']);
    expect(schemas.CommentBatchDto.properties.items).toMatchObject({ minItems: 1, maxItems: 1000 });
    const pushRoom = document.paths['/push/room'].post;
    expect(pushRoom.requestBody.content['application/x-www-form-urlencoded'].schema.$ref).toBe('#/components/schemas/PushRoomDto');
    expect(Object.keys(schemas.PushRoomDto.properties).sort()).toEqual(['items', 'msg', 'room']);
    expect(schemas.PushRoomDto.required).toEqual(['room']);
    expect(document.paths['/push/all'].post.requestBody.content['application/x-www-form-urlencoded']).toBeDefined();
    for (const [path, item] of Object.entries<any>(document.paths)) {
      if (!item.post) continue;
      expect(Object.keys(item.post.responses), path).toEqual(expect.arrayContaining(['400', '401', '413', '503']));
      expect(item.post.security, path).toEqual([{ bearer: [] }]);
    }
    expect(Object.keys(document.paths['/rooms/{room}/comments'].post.responses)).toEqual(expect.arrayContaining(['202', '422']));
    expect(Object.keys(document.paths['/healthz'].get.responses)).toEqual(['200', '503']);
  });

  it('describes the answers the routes really give', async () => {
    // A go-push form without items: the 400 the document lists, with the ErrorAnswer fields.
    const refused = await postForm(server.http, '/push/room', { room: 'lobby' });
    expect(refused.status).toBe(400);
    const errorFields = Object.keys(document.components.schemas.ErrorAnswer.properties);
    expect(Object.keys(refused.body).sort()).toEqual([...errorFields].sort());
    const stats = await get(server.http, '/stats');
    // One process: every required field, none of the WORKERS=N ones.
    expect(Object.keys(stats.body).sort()).toEqual([...document.components.schemas.StatsAnswer.required].sort());
  });

  it('serves a page at /docs from files of this server alone', async () => {
    const page = await get(server.http, '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const links = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map(([, link]) => link);
    expect(links.length).toBeGreaterThanOrEqual(3);
    for (const link of links) {
      expect(link.startsWith('/docs/')).toBe(true);
      expect((await get(server.http, link)).status, link).toBe(200);
    }
    expect((await get(server.http, '/docs/init.js')).text).toContain('"/openapi.json"');
    // swagger-ui-dist's own demo page is not served.
    expect((await get(server.http, '/docs/index.html')).status).toBe(404);
  });
});

describe('OPENAPI=false', () => {
  it('answers 404 for the document, the page and its files', async () => {
    const server = await startServer({ OPENAPI: 'false' });
    try {
      for (const path of ['/openapi.json', '/docs', '/docs/init.js', '/docs/swagger-ui-bundle.js']) {
        expect((await get(server.http, path)).status, path).toBe(404);
      }
      expect((await get(server.http, '/stats')).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('is refused unless true or false, naming the variable', async () => {
    const { startFailing } = await import('./support/server.js');
    const { code, output } = await startFailing({ OPENAPI: 'maybe' });
    expect(code).toBe(1);
    expect(output).toContain('OPENAPI="maybe"');
  });
});

describe('OpenAPI of a mounted DanmakuModule (routePrefix "live")', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startExample();
  });
  afterAll(() => server.stop());

  it('lives under the prefix and describes every route mounted there', async () => {
    expect((await get(server.http, '/openapi.json')).status).toBe(404);
    const answer = await get(server.http, '/live/openapi.json');
    expect(answer.status).toBe(200);
    expect((await validate(answer.body)).valid).toBe(true);
    const documented = documentedRoutes(answer.body);
    expect(documented.every((route) => route.split(' ')[1].startsWith('/live'))).toBe(true);
    const mounted = mappedRoutes(server.output()).filter((route) => route.split(' ')[1].startsWith('/live'));
    expect(mounted).toContain('POST /live/rooms/{room}/comments');
    expect(mounted.filter((route) => !documented.includes(route))).toEqual([]);

    const page = await get(server.http, '/live/docs');
    expect(page.status).toBe(200);
    for (const [, link] of page.text.matchAll(/(?:src|href)="([^"]+)"/g)) {
      expect(link.startsWith('/live/docs/')).toBe(true);
      expect((await get(server.http, link)).status, link).toBe(200);
    }
    expect((await get(server.http, '/live/docs/init.js')).text).toContain('"/live/openapi.json"');
  });
});
