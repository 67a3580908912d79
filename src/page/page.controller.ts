import { Controller, Get, Header, Param } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RoomIdPipe } from '../publish/room-id.pipe.js';

const PUBLIC = fileURLToPath(new URL('./public/', import.meta.url));

/** The browser room page, served from the same port as the socket. */
@Controller()
export class PageController {
  private readonly html = readFileSync(`${PUBLIC}index.html`, 'utf8');

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  index(): string {
    return this.html;
  }

  @Get('room/:room')
  @Header('Content-Type', 'text/html; charset=utf-8')
  room(@Param('room', RoomIdPipe) _room: string): string {
    return this.html;
  }
}
