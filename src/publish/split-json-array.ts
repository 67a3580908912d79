/**
 * Splits the text of a JSON array into the exact text of each element, so go-push
 * items are forwarded byte for byte (whitespace, number spelling and escapes kept).
 * @returns null when the text is not a JSON array.
 */
export function splitJsonArray(text: string): string[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) return null;
  if (parsed.length === 0) return [];

  // The text is valid JSON from here on, so only strings and nesting need tracking.
  const elements: string[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (depth++ === 0) {
        start = i + 1;
        continue;
      }
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      if (--depth === 0) {
        elements.push(text.slice(start, i).trim());
        break;
      }
    } else if (c === 0x2c /* , */ && depth === 1) {
      elements.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  return elements;
}
