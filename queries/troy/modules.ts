/**
 * `use a::b::c`: module files on the module path (reference §2.1). Each mount is searched in order
 * for `a/b/c.tremor`, then `.trickle`, then `.troy`; the first file found wins. A name no mount
 * has may still be one of rill's built-in function modules (`std::string`, ...; queries/stdlib).
 *
 * The module path is the user's `TREMOR_PATH` (colon-separated; entries that are not directories
 * are skipped) followed by the modules rill ships in queries/troy/lib: verbatim copies of
 * Tremor 0.12.4's `tremor::connectors`, `tremor::pipelines`, `std::time::nanos` and its test library
 * `integration`, so that troy files written for Tremor find them without a Tremor installation.
 *
 * A module is loaded once per file path; a module that `use`s itself, directly or not, is an error.
 */
import { readFileSync } from 'node:fs';
import type { UseStmt } from '../ast.ts';
import { MODULES, type StdModule } from '../stdlib/index.ts';
import { findModuleFile, type ModuleMount } from '../module-path.ts';
import type { ModuleStmt, Name } from './ast.ts';
import { evaluateAtDeploy, moduleFunction } from './constant.ts';
import { Namespace, SourceFile, type Definition, type DefinitionKind } from './namespace.ts';
import { parseModule } from './parse.ts';
import { checkConnectorDefinition } from './definitions.ts';

export { BUNDLED_MODULES_DIR, defaultModulePath, type ModuleMount } from '../module-path.ts';

const EXTENSIONS = ['.tremor', '.trickle', '.troy'];

export class ModuleLoader {
  private readonly loaded = new Map<string, Namespace>();
  private readonly loading: string[] = [];

  constructor(readonly mounts: readonly ModuleMount[]) {}

  /** Brings `use`'s module into `into` under its alias (the last segment unless `as` names one). */
  use(statement: UseStmt, into: Namespace): void {
    const alias = statement.alias ?? statement.path[statement.path.length - 1];
    into.modules.set(alias, this.resolve(statement, into.file));
  }

  /** The functions a `use` (written in `from`) brings in: a module file's `fn`s, or a built-in module. */
  functions(statement: UseStmt, from: SourceFile): StdModule {
    const module = this.resolve(statement, from);
    return module instanceof Namespace ? module.functions : module;
  }

  private resolve(statement: UseStmt, from: SourceFile): Namespace | StdModule {
    const file = this.find(statement.path);
    if (file === undefined) {
      const builtin = MODULES.get(statement.path.join('::'));
      if (builtin) return builtin;
      const mounts = this.mounts.map((mount) => `\n                         - ${mount.label}`).join('');
      throw from.error(statement.loc, `Module \`${statement.path.join('/')}\` not found or not readable error in module path: ${mounts}`);
    }
    const cached = this.loaded.get(file);
    if (cached) return cached;
    if (this.loading.includes(file)) {
      throw from.error(statement.loc, `Cyclic module dependency: ${[...this.loading, file].join(' -> ')}`);
    }
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch (error) {
      throw from.error(statement.loc, `Module \`${statement.path.join('/')}\` not found or not readable error in module path: ${file}: ${(error as Error).message}`);
    }
    this.loading.push(file);
    try {
      const namespace = this.load(new SourceFile(file, source));
      this.loaded.set(file, namespace);
      return namespace;
    } finally {
      this.loading.pop();
    }
  }

  private find(path: readonly string[]): string | undefined {
    return findModuleFile(this.mounts, path, EXTENSIONS);
  }

  private load(file: SourceFile): Namespace {
    const statements = file.attribute(() => parseModule(file.source, file.file));
    const namespace = new Namespace(file);
    for (const statement of statements) this.declare(statement, namespace);
    return namespace;
  }

  private declare(statement: ModuleStmt, namespace: Namespace): void {
    switch (statement.kind) {
      case 'use':
        this.use(statement, namespace);
        break;
      case 'const':
        if (namespace.consts.has(statement.name)) throw namespace.file.error(statement.loc, `Can't declare the constant \`${statement.name}\` twice`);
        namespace.consts.set(statement.name, evaluateAtDeploy(statement.value, namespace, null));
        break;
      case 'fn':
        namespace.functions[statement.name.name] = moduleFunction(statement, namespace);
        break;
      case 'defineConnector':
        checkConnectorDefinition(statement, namespace.file);
        define(namespace, 'connector', statement.name, { statement, namespace });
        break;
      case 'definePipeline':
        define(namespace, 'pipeline', statement.name, { statement, namespace });
        break;
      case 'defineFlow':
        define(namespace, 'flow', statement.name, { statement, namespace });
        break;
    }
  }
}

/** Adds a definition; a second one of the same kind and name is Tremor's "Can't define … twice". */
export function define(namespace: Namespace, kind: DefinitionKind, name: Name, definition: Definition<unknown>): void {
  const definitions = namespace.definitions(kind);
  if (definitions.has(name.name)) throw namespace.file.error(name.loc, `Can't define the ${kind} \`${name.name}\` twice`);
  definitions.set(name.name, definition);
}
