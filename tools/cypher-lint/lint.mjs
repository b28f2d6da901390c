#!/usr/bin/env node
// Offline Cypher linter harness: validates statements as Neo4j 5 Cypher with
// Neo4j's own parser/semantic analysis from @neo4j-cypher/language-support.
//
// stdin:  JSON array of {"name": string, "query": string}
// stdout: JSON array of {"name", "errors": [{"message","line","column"}], "warnings": [...]}
//         line/column are 1-based. errors = diagnostics with severity 1 (Error),
//         warnings = all other diagnostics.
// exit:   0 whenever linting ran (even if statements have errors);
//         non-zero only if the harness itself fails (bad input, library crash).
import { lintCypherQuery, isNotParamError } from '@neo4j-cypher/language-support';

const ERROR_SEVERITY = 1;

// Empty schema: no labels/types/procedures/functions are declared, so no
// "not present in the database" checks run. Pin the dialect to Cypher 5.
const DB_SCHEMA = { defaultLanguage: 'CYPHER 5' };

function fail(msg) {
  process.stderr.write(`cypher-lint: ${msg}\n`);
  process.exitCode = 2;
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function toEntry(d) {
  return {
    message: d.message,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
  };
}

function lintOne(query) {
  const { diagnostics } = lintCypherQuery(query, DB_SCHEMA, {
    consoleCommandsEnabled: false,
  });
  // Parameters are never declared in the (empty) schema; the library reports
  // every $param as "Parameter $x is not defined." -- drop those.
  const relevant = diagnostics.filter(isNotParamError);
  return {
    errors: relevant.filter((d) => d.severity === ERROR_SEVERITY).map(toEntry),
    warnings: relevant.filter((d) => d.severity !== ERROR_SEVERITY).map(toEntry),
  };
}

async function main() {
  let input;
  try {
    input = JSON.parse(await readStdin());
  } catch (e) {
    return fail(`stdin is not valid JSON: ${e.message}`);
  }
  if (!Array.isArray(input)) return fail('stdin must be a JSON array');
  const out = [];
  for (const [i, item] of input.entries()) {
    if (!item || typeof item.query !== 'string') {
      return fail(`item ${i} has no string "query"`);
    }
    const name = item.name ?? String(i);
    try {
      out.push({ name, ...lintOne(item.query) });
    } catch (e) {
      return fail(`linter crashed on "${name}": ${e?.stack ?? e}`);
    }
  }
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main().catch((e) => fail(e?.stack ?? String(e)));
