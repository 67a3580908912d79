import AhoCorasick from 'modern-ahocorasick';
import { foldText } from './fold-text.js';

/**
 * Finds any of a list of words in a comment in one pass over the text (Aho-Corasick,
 * from modern-ahocorasick), ignoring case and full-width/half-width differences, and
 * masks every matched character, overlapping matches included.
 */
export class SensitiveWordMatcher {
  private readonly automaton: AhoCorasick | undefined;
  readonly size: number;

  constructor(words: Iterable<string>) {
    const folded = new Set<string>();
    for (const word of words) {
      const key = foldText(word.trim()).folded;
      if (key.length > 0) folded.add(key);
    }
    this.size = folded.size;
    this.automaton = folded.size === 0 ? undefined : new AhoCorasick([...folded]);
  }

  /** Matched ranges in the original text, as [start, end) UTF-16 offsets, merged and sorted. */
  ranges(text: string): [number, number][] {
    if (!this.automaton) return [];
    const { folded, origin } = foldText(text);
    if (!this.automaton.match(folded)) return [];
    const hits = this.automaton.search(folded).map(({ start, end }): [number, number] => {
      const last = origin[end - 1];
      return [origin[start], last + (text.codePointAt(last)! > 0xffff ? 2 : 1)];
    });
    hits.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const hit of hits) {
      const previous = merged.at(-1);
      if (previous && hit[0] <= previous[1]) previous[1] = Math.max(previous[1], hit[1]);
      else merged.push(hit);
    }
    return merged;
  }

  matches(text: string): boolean {
    return this.automaton !== undefined && this.automaton.match(foldText(text).folded);
  }

  /** The text with each matched character (code point) replaced by `mask`. */
  mask(text: string, mask = '*'): string {
    const ranges = this.ranges(text);
    if (ranges.length === 0) return text;
    let out = '';
    let at = 0;
    for (const [start, end] of ranges) {
      out += text.slice(at, start);
      for (const _ of text.slice(start, end)) out += mask;
      at = end;
    }
    return out + text.slice(at);
  }
}
