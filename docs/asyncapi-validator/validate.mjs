// Validates AsyncAPI documents with the AsyncAPI project's own parser (@asyncapi/parser):
// the schema of the specification, every $ref, and the parser's rules (examples against their
// schemas included). Exit 1 on any error or warning, naming where.
//
//   node validate.mjs ../asyncapi.json [more documents…]
import { readFile } from 'node:fs/promises';
import { Parser } from '@asyncapi/parser';

const SEVERITY = ['error', 'warning', 'info', 'hint'];
// The issue asks for AsyncAPI 3.0 (what FastStream and Spring Cloud Stream publish); 3.1 is newer.
const EXPECTED = new Set(['asyncapi-latest-version']);
const parser = new Parser();
let failed = false;

for (const path of process.argv.slice(2)) {
  const { document, diagnostics } = await parser.parse(await readFile(path, 'utf8'), {
    source: path,
  });
  const problems = diagnostics.filter((d) => d.severity <= 1);
  for (const d of diagnostics.filter((d) => !EXPECTED.has(d.code))) {
    console.log(`${path}: ${SEVERITY[d.severity]} ${d.code} at ${d.path.join('/') || '/'}: ${d.message}`);
  }
  if (!document || problems.length > 0) {
    failed = true;
    continue;
  }
  const channels = document.channels().length;
  const operations = document.operations().length;
  const messages = document.components().messages().length;
  console.log(
    `${path}: valid AsyncAPI ${document.version()} (${channels} channels, ${operations} operations, ${messages} messages)`,
  );
}
process.exit(failed || process.argv.length < 3 ? 1 : 0);
