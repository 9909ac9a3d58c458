#!/usr/bin/env node
// Regenerates src/lib/proto/otlp-descriptor.json from proto/**/*.proto, so the
// library loads a static protobufjs descriptor (no .proto parsing or file
// reads at run time). Usage: node libs/otlp/scripts/generate-descriptor.cjs
// With --check it writes nothing and exits 1 when the JSON is stale (run by
// src/lib/proto/otlp-proto.spec.ts).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const protobuf = require('protobufjs');

const PROTO_DIR = path.join(__dirname, '..', 'proto');
const OUT = path.join(
  __dirname,
  '..',
  'src',
  'lib',
  'proto',
  'otlp-descriptor.json',
);

function listProtos(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return listProtos(p);
      return e.name.endsWith('.proto') ? [p] : [];
    })
    .sort();
}

function buildDescriptor() {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) =>
    path.isAbsolute(target) ? target : path.join(PROTO_DIR, target);
  root.loadSync(listProtos(PROTO_DIR), { keepCase: false });
  root.resolveAll();
  return root.toJSON({ keepComments: false });
}

module.exports = { buildDescriptor };

if (require.main === module) {
  const descriptor = buildDescriptor();
  if (process.argv.includes('--check')) {
    // Compared as data: prettier may reformat the committed file.
    const current = fs.existsSync(OUT)
      ? JSON.parse(fs.readFileSync(OUT, 'utf8'))
      : null;
    if (JSON.stringify(current) !== JSON.stringify(descriptor)) {
      process.stderr.write(
        `${OUT} is stale: run node ${path.relative(process.cwd(), __filename)}\n`,
      );
      process.exit(1);
    }
  } else {
    fs.writeFileSync(OUT, JSON.stringify(descriptor, null, 2) + '\n');
    process.stdout.write(`wrote ${OUT}\n`);
  }
}
