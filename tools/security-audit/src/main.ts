/**
 * The secrets scan that ends the e2e run (`nx run security-audit:e2e`, after
 * every other e2e target): every Elasticsearch index and every app log the
 * tests left (FREERIDE_E2E_AUDIT_DIR, set by tools/test-all.sh) are searched
 * for every secret the tests gave the apps (ingest tokens, admin token,
 * provider and OpenAI keys, database passwords) and for trader API keys and
 * webhook secrets. Exits 1 when one is found.
 */
import { readSecrets, scanElasticsearch, scanLogs } from './scan';

async function main(): Promise<void> {
  const esUrl = (process.env['ES_URL'] ?? 'http://127.0.0.1:9200').replace(
    /\/$/,
    '',
  );
  const auditDir = process.env['FREERIDE_E2E_AUDIT_DIR'];
  const secrets = auditDir ? readSecrets(auditDir) : [];
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (!auditDir) {
    out(
      'FREERIDE_E2E_AUDIT_DIR is not set: scanning Elasticsearch for trader keys and webhook secrets only',
    );
  }
  const logFindings = auditDir ? scanLogs(auditDir, secrets) : [];
  const esResult = await scanElasticsearch(esUrl, secrets);
  const findings = [...logFindings, ...esResult.findings];
  out(
    `secrets scan: ${secrets.length} recorded secrets + trader-key/webhook-secret patterns; ` +
      `${esResult.indices} indices, ${esResult.documents} documents; ` +
      `app logs in ${auditDir ?? '(none)'}`,
  );
  for (const f of findings.slice(0, 50))
    out(`  FOUND ${f.secret} in ${f.where}`);
  if (findings.length > 0) {
    out(`secrets scan failed: ${findings.length} findings`);
    process.exit(1);
  }
  out('secrets scan passed: no secret found');
}

main().catch((err: unknown) => {
  process.stderr.write(`secrets scan error: ${String(err)}\n`);
  process.exit(1);
});
