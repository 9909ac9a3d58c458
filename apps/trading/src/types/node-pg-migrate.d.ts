// node-pg-migrate 9 publishes its types under package "exports", which the
// workspace's `moduleResolution: node` does not read; this is the slice we use.
declare module 'node-pg-migrate' {
  export function runner(options: {
    advisoryLockMode?: 'fail' | 'wait';
    databaseUrl: string;
    dir: string;
    direction: 'down' | 'up';
    lockValue?: number;
    log?: (message: string) => void;
    migrationsTable: string;
  }): Promise<Array<{ name: string }>>;
}
