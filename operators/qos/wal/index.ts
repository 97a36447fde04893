/**
 * `qos::wal` factory: validates the `with` block and decides where the store lives.
 *
 * Store location: `dir` if given (a relative `dir` is relative to the process's working
 * directory); else `<context.dataDir>/<pipelineId>/<nodeId>` when the runtime has a data dir
 * (rill extension, `rill server run --data-dir`); else a temporary store removed on close.
 */
import { join, resolve } from 'node:path';
import type { OperatorFactory } from '../../operator.ts';
import { parseWalConfig } from './config.ts';
import { WalOperator } from './operator.ts';

export const walOperatorFactory: OperatorFactory = {
  create(params, context) {
    const config = parseWalConfig(params, context.nodeId);
    const dir =
      config.dir !== undefined
        ? resolve(process.cwd(), config.dir)
        : context.dataDir !== undefined
          ? join(context.dataDir, context.pipelineId, context.nodeId)
          : undefined;
    return new WalOperator(config, context, dir);
  },
};
