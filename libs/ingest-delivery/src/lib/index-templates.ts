import type { Client } from '@elastic/elasticsearch';
import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';

/**
 * Installs the component templates (`component-templates/*.json`) and then
 * the index templates (`index-templates/*.json`) found under `dir`, each
 * named after its file. Idempotent: a PUT replaces the previous version.
 * @returns the names installed, component templates first
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/index-templates.html
 */
export async function installIndexTemplates(
  client: Client,
  dir: string,
): Promise<string[]> {
  const installed: string[] = [];
  for (const kind of ['component-templates', 'index-templates'] as const) {
    const folder = join(dir, kind);
    const files = (await readdir(folder))
      .filter((f) => f.endsWith('.json'))
      .sort();
    for (const file of files) {
      const name = basename(file, '.json');
      const body = JSON.parse(
        await readFile(join(folder, file), 'utf8'),
      ) as Record<string, unknown>;
      if (kind === 'component-templates') {
        await client.cluster.putComponentTemplate({ name, ...body });
      } else {
        await client.indices.putIndexTemplate({ name, ...body });
      }
      installed.push(name);
    }
  }
  return installed;
}
