/** The subcommands of `tricloud`, each loaded lazily. Add a command here and in README's CLI reference. */
export interface CommandModule {
  /** Runs the command with its own arguments; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

export interface Command {
  summary: string;
  load(): Promise<CommandModule>;
}

export const commands: Record<string, Command> = {
  dev: {
    summary: 'Run the whole pipeline on the local stack, watch it, and verify the three stores (npm start)',
    load: () => import('./dev.ts'),
  },
  stack: {
    summary: 'Run the local three-cloud stack (six servers, resources provisioned) in the foreground',
    load: () => import('./stack.ts'),
  },
  build: {
    summary: 'Bundle every function with esbuild and package it for its platform under dist/ (npm run build)',
    load: () => import('./build.ts'),
  },
  produce: {
    summary: 'Send records (synthetic, a file) to the clouds: routed, packed, spooled to disk, resumable',
    load: () => import('./produce.ts'),
  },
  sync: {
    summary: 'Run one sync pass into a cloud from the other two',
    load: () => import('./sync.ts'),
  },
  export: {
    summary: "Write a cloud's merged windows as NDJSON in the export format",
    load: () => import('./export.ts'),
  },
  query: {
    summary:
      "Read one series' windows over a time range from whichever cloud answers (range index, failover)",
    load: () => import('./query.ts'),
  },
  status: { summary: 'All clouds: backlog, dead letters, sync lag', load: () => import('./status.ts') },
  'dead-letters': {
    summary: 'List, show, export and redrive dead letters',
    load: () => import('./dead-letters.ts'),
  },
  verify: {
    summary: 'Compare the three stores by digests per series and day; name the windows that differ',
    load: () => import('./verify.ts'),
  },
  deploy: {
    summary:
      "Build, then terraform init/validate/plan/apply a cloud's stack (infra/<cloud>); --plan stops after the plan",
    load: () => import('./deploy.ts'),
  },
  destroy: {
    summary: "Run terraform destroy on a cloud's stack (infra/<cloud>)",
    load: () => import('./destroy.ts'),
  },
};
