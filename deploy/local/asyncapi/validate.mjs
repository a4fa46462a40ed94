// Validate an AsyncAPI document with the official parser (@asyncapi/parser, pinned in
// package.json / package-lock.json): prints every diagnostic, exits 1 if any is an error.
//
//   node deploy/local/asyncapi/validate.mjs docs/asyncapi.yaml
//
// Run by tests/test_asyncapi.py (make test), which installs the pinned parser with `npm ci`.
import { Parser, fromFile } from '@asyncapi/parser';

const ERROR = 0; // DiagnosticSeverity.Error
const SEVERITY = ['error', 'warning', 'information', 'hint'];

const path = process.argv[2];
if (!path) {
  console.error('usage: node validate.mjs <asyncapi document>');
  process.exit(2);
}

const parser = new Parser();
const { document, diagnostics } = await fromFile(parser, path).parse();
let errors = 0;
for (const d of diagnostics) {
  if (d.severity === ERROR) errors += 1;
  const where = (d.path || []).join('/');
  console.log(`${SEVERITY[d.severity] ?? d.severity}: ${d.code}: ${d.message} at /${where}`);
}
if (errors > 0 || document === undefined) {
  console.log(`INVALID: ${errors} error(s) in ${path}`);
  process.exit(1);
}
const channels = document.channels().length;
const messages = document.allMessages().length;
const operations = document.operations().length;
console.log(`VALID: ${path} (AsyncAPI ${document.version()}: ${channels} channels, ${messages} messages, ${operations} operations)`);
