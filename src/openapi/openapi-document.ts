import type { INestApplication, Type } from '@nestjs/common';
import type { ApplicationConfig, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

const DESCRIPTION = `The REST API of the live-comment server. Its WebSocket protocol at \`/connect\`
(PUSH, JOIN, COMMENT …) is described in the project's docs/protocol.md: OpenAPI has no words for it.

Admin calls (every POST) need \`Authorization: Bearer ADMIN_TOKEN\`; with no ADMIN_TOKEN
configured they are accepted from loopback only. Bad input answers 400 with Nest's usual
\`{"statusCode", "message", "error"}\`, \`message\` naming each wrong field; bodies over 1 MiB get 413.

\`POST /rooms/{room}/comments\` and \`.../comments/batch\` are usually answered by a route on the
HTTP server itself rather than through the Nest router, for speed; it takes the same bodies
(checked by the same DTOs' rules) and gives the same answers, so one description serves both.`;

/**
 * The OpenAPI document of the routes in `modules`, built by @nestjs/swagger's own scanner
 * from the controllers' and DTOs' decorators. SwaggerModule.createDocument asks for the
 * application, which a module inside a host app never holds; the scanner reads only the
 * module container, the application config and the HTTP adapter from it, all of which a
 * provider can inject, so it gets those.
 */
export function buildOpenApiDocument(
  parts: { modules: ModulesContainer; appConfig: ApplicationConfig; adapterHost: HttpAdapterHost },
  documented: Type[],
): OpenAPIObject {
  const app = {
    container: { getModules: () => parts.modules },
    config: parts.appConfig,
    getHttpAdapter: () => parts.adapterHost.httpAdapter,
  } as unknown as INestApplication;
  const config = new DocumentBuilder()
    .setTitle('Danmaku live-comment server')
    .setDescription(DESCRIPTION)
    .setVersion('revision 3')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' })
    .build();
  return SwaggerModule.createDocument(app, config, { include: documented });
}
