/**
 * Real nats-server processes for the tests: one JetStream server, or a 3-node JetStream cluster
 * with routes on loopback, each on free 127.0.0.1 ports with its own temporary store directory.
 * A server can be SIGKILLed and started again on the same ports and store (a crash and a
 * restart); `stop` kills every process and removes the stores.
 *
 * `.ci/run` installs nats-server (Debian's package, 2.9.x) when it is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './waiting.ts';

/** Debian puts it in /usr/sbin, which is not on every user's PATH. */
export function natsServerBinary(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir !== '' && existsSync(join(dir, 'nats-server'))) return join(dir, 'nats-server');
  if (existsSync('/usr/sbin/nats-server')) return '/usr/sbin/nats-server';
  throw new Error('nats-server is not installed (apt-get install -y nats-server; .ci/run does it)');
}

interface ClusterSetup {
  name: string;
  routePort: number;
  /** Every member's route port, this one's included (a server ignores the route to itself). */
  routePorts: number[];
}

export class NatsServer {
  private child?: ChildProcess;
  private log = '';
  private exited?: Promise<void>;

  private constructor(
    readonly name: string,
    readonly port: number,
    readonly storeDir: string,
    private readonly cluster?: ClusterSetup,
  ) {}

  /** A single JetStream server. */
  static async start(): Promise<NatsServer> {
    const server = new NatsServer('n0', await freePort(), mkdtempSync(join(tmpdir(), 'rill-nats-')));
    await server.launch();
    return server;
  }

  /** `host:port` as the connectors' `hosts` take it. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** What the server logged so far (for failure messages). */
  get output(): string {
    return this.log;
  }

  async launch(): Promise<void> {
    if (this.child !== undefined) return;
    const args = ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir, '--server_name', this.name];
    if (this.cluster !== undefined) {
      const routes = this.cluster.routePorts.map((port) => `nats://127.0.0.1:${port}`).join(',');
      args.push('--cluster_name', this.cluster.name, '--cluster', `nats://127.0.0.1:${this.cluster.routePort}`, '--routes', routes);
    }
    const child = spawn(natsServerBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.log = '';
    const collect = (chunk: Buffer) => (this.log += chunk.toString());
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    let exited = false;
    this.exited = new Promise((resolve) =>
      child.on('exit', () => {
        exited = true;
        if (this.child === child) this.child = undefined;
        resolve();
      }),
    );
    await waitFor(() => this.log.includes('Server is ready') || exited, `nats-server ${this.name} to be ready`, 20_000);
    if (exited) throw new Error(`nats-server ${this.name} exited:\n${this.log}`);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    child.kill(signal);
    await this.exited;
  }

  /** Kills the process and removes its store. */
  async stop(): Promise<void> {
    await this.kill('SIGKILL');
    rmSync(this.storeDir, { recursive: true, force: true });
  }

  /** @internal a cluster member. */
  static member(name: string, port: number, cluster: ClusterSetup): NatsServer {
    return new NatsServer(name, port, mkdtempSync(join(tmpdir(), `rill-nats-${name}-`)), cluster);
  }
}

export class NatsCluster {
  private constructor(readonly servers: NatsServer[]) {}

  /** Three JetStream servers routed to each other on loopback; resolves once all are ready. */
  static async start(size = 3): Promise<NatsCluster> {
    const clientPorts: number[] = [];
    const routePorts: number[] = [];
    for (let index = 0; index < size; index++) {
      clientPorts.push(await freePort());
      routePorts.push(await freePort());
    }
    const servers = clientPorts.map((port, index) => NatsServer.member(`n${index}`, port, { name: 'rill-test', routePort: routePorts[index], routePorts }));
    await Promise.all(servers.map((server) => server.launch()));
    return new NatsCluster(servers);
  }

  get hosts(): string[] {
    return this.servers.map((server) => server.host);
  }

  byName(name: string): NatsServer {
    const server = this.servers.find((candidate) => candidate.name === name);
    if (server === undefined) throw new Error(`no cluster member named ${name}`);
    return server;
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.stop()));
  }
}
