import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { isValidRoomId } from '../protocol/room-id.js';

@Injectable()
export class RoomIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isValidRoomId(value)) {
      throw new BadRequestException('room must be 1 to 64 characters with no control characters');
    }
    return value;
  }
}
