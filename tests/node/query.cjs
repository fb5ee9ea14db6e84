// Runs SPARQL queries with Comunica's QueryEngine (@comunica/query-sparql, installed here by
// .ci/run) and prints each answer as Comunica serialises it, for tests/server/test_comunica_client.py.
// stdin: JSON list of {"query": ..., "sources": [...], "mediaType": ...}; a source is
// "sparql@URL" (Comunica speaks the SPARQL protocol to URL), a URL (Comunica dereferences it), or
// {"file": path, "mediaType": ...} (the file's text as a serialized source).
// stdout: JSON list, one {"result": text} or {"error": message} per query, in order.
'use strict';
const fs = require('node:fs');
const { QueryEngine } = require('@comunica/query-sparql');

function source(spec) {
  if (typeof spec !== 'string') {
    return { type: 'serialized', value: fs.readFileSync(spec.file, 'utf8'), mediaType: spec.mediaType };
  }
  return spec.startsWith('sparql@') ? { type: 'sparql', value: spec.slice('sparql@'.length) } : spec;
}

async function text(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
  return chunks.join('');
}

async function main() {
  const jobs = JSON.parse(fs.readFileSync(0, 'utf8'));
  const engine = new QueryEngine();
  const out = [];
  for (const job of jobs) {
    try {
      const result = await engine.query(job.query, { sources: job.sources.map(source) });
      const { data } = await engine.resultToString(result, job.mediaType);
      out.push({ result: await text(data) });
    } catch (e) {
      out.push({ error: String(e && e.stack || e) });
    }
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => { console.error(e); process.exit(1); });
