/**
 * `grok|pattern|`: logstash grok. `%{NAME}` stands for the named pattern's regex, `%{NAME:alias}`
 * captures it under `alias` (a third part, `:type`, is accepted and ignored, as by Tremor's grok
 * crate). The binding is a record of every alias, at any nesting depth, and of every `(?<name>…)`
 * group, each a string ("" when it took no part in the match); the search is unanchored.
 *
 * Named patterns come from `/etc/tremor/grok.patterns` when it exists (Tremor's
 * PATTERNS_FILE_DEFAULT_PATH), else from `grok.patterns` beside this file: the default pattern
 * file of the `grok` crate Tremor falls back to (logstash's patterns, Apache-2.0).
 * Patterns are Oniguruma regexes; the ones in the default file are valid JavaScript too.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shippedFile } from '../shipped-file.ts';
import type { RecordValue } from '../values/value.ts';
import { setKey } from '../values/ops.ts';
import { ExtractorRuleError, NO_MATCH, type Extractor } from './extractor.ts';

const TREMOR_PATTERNS_FILE = '/etc/tremor/grok.patterns';
const SHIPPED_PATTERNS_FILE = shippedFile(import.meta.url, 'grok.patterns', join('queries', 'extractors', 'grok.patterns'));

let defaultPatterns: Map<string, string> | undefined;

export function parsePatternFile(text: string): Map<string, string> {
  const patterns = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\S+)\s+(.*)$/.exec(line);
    if (match) patterns.set(match[1], match[2]);
  }
  return patterns;
}

function loadDefaultPatterns(): Map<string, string> {
  defaultPatterns ??= parsePatternFile(readFileSync(existsSync(TREMOR_PATTERNS_FILE) ? TREMOR_PATTERNS_FILE : SHIPPED_PATTERNS_FILE, 'utf8'));
  return defaultPatterns;
}

export interface GrokPattern {
  regex: RegExp;
  /** RegExp group name -> the name the binding uses. */
  captures: Map<string, string>;
}

export function compileGrok(pattern: string, patterns: Map<string, string> = loadDefaultPatterns()): GrokPattern {
  const captures = new Map<string, string>();
  const expand = (text: string, depth: number): string => {
    if (depth > 64) throw new ExtractorRuleError('grok patterns refer to each other in a cycle');
    const withGroups = text.replace(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g, (_whole, name: string) => {
      const group = `g${captures.size}`;
      captures.set(group, name);
      return `(?<${group}>`;
    });
    return withGroups.replace(/%\{(\w+)(?::([\w.@[\]-]+))?(?::\w+)?\}/g, (_whole, name: string, alias: string | undefined) => {
      const definition = patterns.get(name);
      if (definition === undefined) {
        throw new ExtractorRuleError(`The given pattern definition name "${name}" could not be found in the definition map`);
      }
      if (alias === undefined) return `(?:${expand(definition, depth + 1)})`;
      const group = `g${captures.size}`;
      captures.set(group, alias);
      return `(?<${group}>${expand(definition, depth + 1)})`;
    });
  };
  const source = expand(pattern, 0);
  try {
    return { regex: new RegExp(source, 'u'), captures };
  } catch {
    try {
      return { regex: new RegExp(source), captures };
    } catch (error) {
      throw new ExtractorRuleError(`Failed to compile logstash grok pattern \`${pattern}\`: ${(error as Error).message}`);
    }
  }
}

export function runGrok(grok: GrokPattern, input: string): RecordValue | undefined {
  const match = grok.regex.exec(input);
  if (match === null) return undefined;
  const result: RecordValue = {};
  for (const [group, name] of grok.captures) {
    const text = match.groups?.[group];
    // An alias used twice keeps the part of the match that took part.
    if (text !== undefined || !Object.hasOwn(result, name)) setKey(result, name, text ?? '');
  }
  return result;
}

export function grokExtractor(rule: string): Extractor {
  const grok = compileGrok(rule);
  return { extract: (input) => runGrok(grok, input) ?? NO_MATCH };
}
