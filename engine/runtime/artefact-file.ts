/**
 * Reads one Tremor 0.11 artefact YAML file: `onramp:` and `offramp:` lists, `binding:` list and
 * `mapping:` (the schema of Tremor's `src/config.rs`, which denies unknown fields too).
 *
 * Everything is checked here except what needs the other files (ids that links name, pipeline
 * ports): connector types and their `config` keys against the connector registry, key types,
 * unknown keys with a suggestion. Each problem becomes a ConfigError naming the file, the
 * artefact and the key, at the key's line and column.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLError, type YAMLMap } from 'yaml';
import type { RecordValue } from '../../queries/values/value.ts';
import type { ConfigKeySpec } from '../../connectors/connector.ts';
import { sinkFactories, sourceFactories } from '../../connectors/registry.ts';
import { codecs } from '../../connectors/codec.ts';
import { ConfigError, didYouMean } from './config-error.ts';
import { configKeyProblems } from './config-keys.ts';

export type Position = { line: number; column: number };

export interface ConnectorSpec {
  kind: 'onramp' | 'offramp';
  id: string;
  type: string;
  codec: string;
  preprocessors: string[];
  postprocessors: string[];
  config: RecordValue;
  file: string;
  position?: Position;
}

export interface LinkSpec {
  from: string;
  to: string[];
  position?: Position;
}

export interface BindingSpec {
  id: string;
  links: LinkSpec[];
  file: string;
  position?: Position;
}

export interface MappingSpec {
  /** The mapping key as written, `/binding/default/01`. */
  key: string;
  values: Record<string, string>;
  file: string;
  position?: Position;
}

export interface ArtefactFile {
  connectors: ConnectorSpec[];
  bindings: BindingSpec[];
  mappings: MappingSpec[];
  /** Notes that do not stop loading (ignored compatibility keys). */
  warnings: string[];
}

const TOP_LEVEL_KEYS = ['onramp', 'offramp', 'binding', 'mapping'];
const CONNECTOR_KEYS = ['id', 'type', 'description', 'linked', 'codec', 'codec_map', 'preprocessors', 'postprocessors', 'metrics_interval_s', 'config'];
const ONRAMP_KEYS = [...CONNECTOR_KEYS, 'err_required'];
const BINDING_KEYS = ['id', 'description', 'links'];
/** Pre/postprocessors rill implements: every line-based connector already splits/joins on newlines. */
const LINE_PROCESSORS = ['lines', 'separate'];

export function parseArtefactFile(file: string, text: string): { artefacts: ArtefactFile; errors: ConfigError[] } {
  const reader = new ArtefactReader(file, text);
  return { artefacts: reader.artefacts, errors: reader.errors };
}

class ArtefactReader {
  readonly artefacts: ArtefactFile = { connectors: [], bindings: [], mappings: [], warnings: [] };
  readonly errors: ConfigError[] = [];
  private readonly lineCounter = new LineCounter();

  constructor(private readonly file: string, text: string) {
    const document = parseDocument(text, { lineCounter: this.lineCounter, uniqueKeys: true });
    if (document.errors.length > 0) {
      // One error per file: after the first, a YAML parser's further complaints are echoes of it.
      this.errors.push(this.unindentedListEntry(text) ?? this.yamlError(document.errors[0]));
      return;
    }
    const root = document.contents;
    if (root === null || (isScalar(root) && root.value === null)) {
      this.fail(undefined, 'the file is empty; expected at least one of the keys onramp, offramp, binding, mapping');
    } else if (isSeq(root)) {
      this.fail(root, 'the file is a list, but a Tremor 0.11 artefact file is a mapping with the keys onramp, offramp, binding, mapping: put connector entries under `onramp:` or `offramp:` and link entries under `binding:`');
    } else if (!isMap(root)) {
      this.fail(root, 'expected a mapping with the keys onramp, offramp, binding, mapping');
    } else {
      this.readRoot(root);
    }
  }

  private yamlError(error: YAMLError): ConfigError {
    const summary = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    const position = error.linePos ? { line: error.linePos[0].line, column: error.linePos[0].col } : undefined;
    return new ConfigError(this.file, `invalid YAML: ${summary}`, position);
  }

  /**
   * The seed's fragments (web-page scrapes) are a `- id: x` line followed by keys at the top level
   * instead of indented under it; name the first such key rather than the parser's token soup.
   */
  private unindentedListEntry(text: string): ConfigError | undefined {
    const lines = text.split('\n');
    const entry = lines.findIndex((line) => /^- \S/.test(line));
    if (entry < 0) return undefined;
    for (let index = entry + 1; index < lines.length; index++) {
      const key = /^("?)([^"\s:#][^"]*?)\1\s*:/.exec(lines[index]);
      if (!key) continue;
      const linkHint = key[2].startsWith('/') ? '; links go under `links:` of a binding entry' : '';
      return new ConfigError(
        this.file,
        `invalid YAML: key "${key[2]}" is not part of the list entry "${lines[entry].trim()}" above it: indent it under that entry's first key, and put the list under \`onramp:\`, \`offramp:\` or \`binding:\` (a Tremor 0.11 artefact file is a mapping with the keys onramp, offramp, binding, mapping${linkHint})`,
        { line: index + 1, column: 1 },
      );
    }
    return undefined;
  }

  private readRoot(root: YAMLMap): void {
    for (const pair of root.items) {
      const key = this.keyName(pair);
      const value = pair.value as Node | null;
      if (key === 'onramp' || key === 'offramp') {
        for (const [index, entry] of this.listItems(pair, key)) this.readConnector(key, entry, index);
      } else if (key === 'binding') {
        for (const [index, entry] of this.listItems(pair, key)) this.readBinding(entry, index);
      } else if (key === 'mapping') {
        if (!isMap(value)) this.fail(value ?? (pair.key as Node), '`mapping` must be a mapping from `/binding/<id>/<instance>` to values');
        else this.readMapping(value);
      } else {
        const hint = key === 'instance' || key.startsWith('/binding/')
          ? ' (mapping entries go under `mapping:` as `/binding/<id>/<instance>: {instance: "01"}`)'
          : key.startsWith('/') ? ' (links go under `binding:` as `- id: <id>` with `links:`)' : didYouMean(key, TOP_LEVEL_KEYS) || ' (expected onramp, offramp, binding or mapping)';
        this.fail(pair.key as Node, `unknown top-level key "${key}"${hint}`);
      }
    }
  }

  private listItems(pair: Pair, key: string): Array<[number, Node]> {
    const value = pair.value as Node | null;
    if (!isSeq(value)) {
      this.fail(value ?? (pair.key as Node), `\`${key}\` must be a list of entries (\`- id: ...\`)`);
      return [];
    }
    return value.items.map((item, index) => [index, item as Node]);
  }

  private readConnector(kind: 'onramp' | 'offramp', node: Node, index: number): void {
    const what = `${kind} #${index + 1}`;
    if (!isMap(node)) {
      this.fail(node, `${what}: expected a mapping with \`id\`, \`type\` and \`config\``);
      return;
    }
    const id = this.requiredString(node, 'id', what);
    const label = id === undefined ? what : `${kind} "${id}"`;
    const type = this.requiredString(node, 'type', label);
    const factories = kind === 'onramp' ? sourceFactories : sinkFactories;
    const factory = type === undefined ? undefined : factories.get(type);
    if (type !== undefined && factory === undefined) {
      this.failAt(node, 'type', `${label}: unknown ${kind} type "${type}"${didYouMean(type, factories.keys()) || ` (rill supports ${[...factories.keys()].join(', ')})`}`);
    }
    const allowed = kind === 'onramp' ? ONRAMP_KEYS : CONNECTOR_KEYS;
    for (const pair of node.items) {
      const key = this.keyName(pair);
      if (allowed.includes(key)) continue;
      const hint = factory !== undefined && key in factory.configKeys
        ? ` (Tremor 0.11 connector settings go under \`config:\`, as \`config: {${key}: ...}\`)`
        : didYouMean(key, allowed);
      this.fail(pair.key as Node, `${label}: unknown key "${key}"${hint}`);
    }
    for (const unsupported of ['codec_map']) {
      if (node.has(unsupported)) this.failAt(node, unsupported, `${label}: \`${unsupported}\` is not supported by rill`);
    }
    if (node.get('linked') === true) this.failAt(node, 'linked', `${label}: \`linked: true\` (request/response mode) is not supported by rill`);
    if (node.has('metrics_interval_s')) this.artefacts.warnings.push(`${this.file}: ${label}: \`metrics_interval_s\` is accepted and ignored (rill has no metrics port on connectors)`);

    const codec = this.optionalString(node, 'codec', label) ?? 'json';
    if (!codecs.has(codec)) this.failAt(node, 'codec', `${label}: unknown codec "${codec}"${didYouMean(codec, codecs.keys()) || ` (rill supports ${[...codecs.keys()].join(', ')})`}`);
    const preprocessors = this.processors(node, 'preprocessors', label);
    const postprocessors = this.processors(node, 'postprocessors', label);

    const configNode = node.get('config', true) as Node | undefined;
    let config: RecordValue = {};
    if (configNode !== undefined && !(isScalar(configNode) && configNode.value === null)) {
      if (!isMap(configNode)) this.failAt(node, 'config', `${label}: \`config\` must be a mapping`);
      else config = configNode.toJSON() as RecordValue;
    }
    if (factory !== undefined) this.checkConfig(node, configNode, config, factory.configKeys, label);
    if (id !== undefined && type !== undefined) {
      this.artefacts.connectors.push({ kind, id, type, codec, preprocessors, postprocessors, config, file: this.file, position: this.position(node) });
    }
  }

  private checkConfig(node: YAMLMap, configNode: Node | undefined, config: RecordValue, keys: Readonly<Record<string, ConfigKeySpec>>, label: string): void {
    const at = isMap(configNode) ? configNode : node;
    for (const problem of configKeyProblems(config, keys)) {
      if (problem.missing) this.failAt(node, isMap(configNode) ? 'config' : 'type', `${label}: config: ${problem.message}`);
      else this.failAt(at, problem.key, `${label}: config: ${problem.message}`);
    }
  }

  private processors(node: YAMLMap, key: string, label: string): string[] {
    const value = node.get(key, true) as Node | undefined;
    if (value === undefined) return [];
    const names = isSeq(value) ? value.toJSON() : undefined;
    if (!Array.isArray(names) || names.some((name) => typeof name !== 'string')) {
      this.failAt(node, key, `${label}: \`${key}\` must be a list of names`);
      return [];
    }
    for (const name of names as string[]) {
      if (!LINE_PROCESSORS.includes(name)) {
        this.failAt(node, key, `${label}: ${key}: "${name}" is not supported by rill (supported: ${LINE_PROCESSORS.join(', ')}; line-based connectors already split and join lines)`);
      }
    }
    return names as string[];
  }

  private readBinding(node: Node, index: number): void {
    const what = `binding #${index + 1}`;
    if (!isMap(node)) {
      this.fail(node, `${what}: expected a mapping with \`id\` and \`links\``);
      return;
    }
    const id = this.requiredString(node, 'id', what);
    const label = id === undefined ? what : `binding "${id}"`;
    for (const pair of node.items) {
      const key = this.keyName(pair);
      if (BINDING_KEYS.includes(key)) continue;
      const hint = key.startsWith('/') ? ' (links go under `links:`)' : didYouMean(key, BINDING_KEYS);
      this.fail(pair.key as Node, `${label}: unknown key "${key}"${hint}`);
    }
    const linksNode = node.get('links', true) as Node | undefined;
    const links: LinkSpec[] = [];
    if (linksNode === undefined) {
      this.fail(node, `${label}: missing key "links"`);
    } else if (!isMap(linksNode)) {
      this.failAt(node, 'links', `${label}: \`links\` must map "/onramp/..." or "/pipeline/..." to a list of targets`);
    } else {
      for (const pair of linksNode.items) {
        const from = this.keyName(pair);
        const targets = (pair.value as Node | null)?.toJSON();
        const list = typeof targets === 'string' ? [targets] : targets;
        if (!Array.isArray(list) || list.some((target) => typeof target !== 'string')) {
          this.fail(pair.key as Node, `${label}: links: "${from}" must map to a list of targets like ["/pipeline/main/{instance}/in"]`);
          continue;
        }
        links.push({ from, to: list as string[], position: this.position(pair.key as Node) });
      }
    }
    if (id !== undefined) this.artefacts.bindings.push({ id, links, file: this.file, position: this.position(node) });
  }

  private readMapping(node: YAMLMap): void {
    for (const pair of node.items) {
      const key = this.keyName(pair);
      const value = pair.value as Node | null;
      const values = isMap(value) ? (value.toJSON() as Record<string, unknown>) : undefined;
      if (values === undefined || Object.values(values).some((v) => typeof v === 'object' && v !== null)) {
        this.fail(value ?? (pair.key as Node), `mapping "${key}": expected values like {instance: "01"}`);
        continue;
      }
      const strings = Object.fromEntries(Object.entries(values).map(([name, v]) => [name, String(v)]));
      this.artefacts.mappings.push({ key, values: strings, file: this.file, position: this.position(pair.key as Node) });
    }
  }

  private requiredString(node: YAMLMap, key: string, label: string): string | undefined {
    if (!node.has(key)) {
      this.fail(node, `${label}: missing key "${key}"`);
      return undefined;
    }
    return this.optionalString(node, key, label);
  }

  private optionalString(node: YAMLMap, key: string, label: string): string | undefined {
    const value = node.get(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '') {
      this.failAt(node, key, `${label}: \`${key}\` must be a non-empty string`);
      return undefined;
    }
    return value;
  }

  private keyName(pair: Pair): string {
    return String(isScalar(pair.key) ? pair.key.value : pair.key);
  }

  private failAt(map: YAMLMap, key: string, detail: string): void {
    const pair = map.items.find((item) => this.keyName(item) === key);
    this.fail((pair?.key as Node | undefined) ?? map, detail);
  }

  private fail(node: Node | null | undefined, detail: string): void {
    this.errors.push(new ConfigError(this.file, detail, this.position(node)));
  }

  private position(node: Node | null | undefined): Position | undefined {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }
}

