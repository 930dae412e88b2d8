/**
 * Writes the CommonJS entry points that package.json's `require` conditions
 * name. Each one re-exports the ES module: Node ≥ 20.19 can require() ESM, so
 * `require('@tunekit/core')` gets the very same module instance as `import`
 * (no dual-package copy). Where Node cannot (older Node, or
 * `--no-experimental-require-module`), the stub says "ESM only: use import()".
 *
 * Called from each package's tsup `onSuccess`, with the package folder.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';

/** `exports` entries as [subpath, { import, require }] pairs that have both. */
function dualEntries(exportsField) {
  return Object.entries(exportsField ?? {}).filter(([, target]) => typeof target === 'object' && target.import && target.require);
}

function stub(packageName, subpath, esmFromStub) {
  const specifier = subpath === '.' ? packageName : `${packageName}/${subpath.replace(/^\.\//, '')}`;
  return `'use strict';
// ${specifier} is an ES module. Node >= 20.19 can require() it: this file
// hands over that one module, so require() and import share one instance.
try {
  module.exports = require(${JSON.stringify(esmFromStub)});
} catch (error) {
  if (error && (error.code === 'ERR_REQUIRE_ESM' || error.code === 'ERR_REQUIRE_ASYNC_MODULE')) {
    throw new Error(
      ${JSON.stringify(`${specifier} is ESM only: use import('${specifier}') (or Node >= 20.19, which can require() ES modules).`)},
      { cause: error },
    );
  }
  throw error;
}
`;
}

/** Writes every stub of the package in `packageDir`; returns the files written. */
export function writeRequireStubs(packageDir) {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const written = [];
  for (const [subpath, target] of dualEntries(manifest.exports)) {
    const file = join(packageDir, target.require);
    let esm = relative(dirname(file), join(packageDir, target.import)).replaceAll('\\', '/');
    if (!esm.startsWith('.')) esm = `./${esm}`;
    writeFileSync(file, stub(manifest.name, subpath, esm));
    written.push(file);
  }
  return written;
}
