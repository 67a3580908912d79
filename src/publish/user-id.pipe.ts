import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { isValidUserId, MAX_USER_CHARS } from '../protocol/user-id.js';

@Injectable()
export class UserIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isValidUserId(value)) {
      throw new BadRequestException(`user must be 1 to ${MAX_USER_CHARS} characters, well-formed`);
    }
    return value;
  }
}
