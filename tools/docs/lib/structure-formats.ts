import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { create } from 'xmlbuilder2';

import type { StructureDocument } from './structure';

export const STRUCTURE_SCHEMA_PATH = join(
  __dirname,
  '..',
  'structure.schema.json',
);

/** Validates a structure document; throws naming every violation. */
export function validateStructure(
  doc: unknown,
): asserts doc is StructureDocument {
  const schema = JSON.parse(
    readFileSync(STRUCTURE_SCHEMA_PATH, 'utf8'),
  ) as object;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const validate = ajv.compile(schema);
  if (!validate(doc)) {
    const errors = (validate.errors ?? []).map(
      (e) => `${e.instancePath || '/'} ${e.message ?? ''}`,
    );
    throw new Error(
      `structure document does not match its schema:\n${errors.join('\n')}`,
    );
  }
}

/** The same document as XML: one element per project, attributes for scalars. */
export function structureToXml(doc: StructureDocument): string {
  const root = create({ encoding: 'UTF-8', version: '1.0' }).ele('structure', {
    ...(doc.commit ? { commit: doc.commit } : {}),
    generatedAt: doc.generatedAt,
    version: doc.version,
  });
  for (const p of doc.projects) {
    const el = root.ele('project', {
      kind: p.kind,
      name: p.name,
      root: p.root,
    });
    const tags = el.ele('tags');
    for (const t of p.tags) tags.ele('tag').txt(t);
    const deps = el.ele('dependencies');
    for (const d of p.dependencies)
      deps.ele('dependency', { project: d.project, type: d.type });
    const routes = el.ele('routes');
    for (const r of p.routes) {
      routes.ele('route', {
        method: r.method,
        path: r.path,
        ...(r.summary ? { summary: r.summary } : {}),
      });
    }
    const keys = el.ele('configKeys');
    for (const k of p.configKeys) {
      keys.ele('configKey', {
        name: k.name,
        required: String(k.required),
        type: k.type,
        ...(k.default !== undefined
          ? {
              default:
                typeof k.default === 'string'
                  ? k.default
                  : JSON.stringify(k.default),
            }
          : {}),
      });
    }
    const metrics = el.ele('metrics');
    for (const m of p.metrics) {
      const me = metrics.ele('metric', { name: m.name, type: m.type });
      me.ele('help').txt(m.help);
      for (const l of m.labels) me.ele('label').txt(l);
    }
  }
  return root.end({ prettyPrint: true });
}
