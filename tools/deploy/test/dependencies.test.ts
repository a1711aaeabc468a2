import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function files(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(files(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

test('every package declares the packages its code imports (an image installs only those)', () => {
  const workspaces = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { workspaces: string[]; devDependencies: Record<string, string> });
  const rootDev = new Set(Object.keys(workspaces.devDependencies));
  for (const ws of workspaces.workspaces) {
    const pkg = JSON.parse(readFileSync(`${root}${ws}/package.json`, 'utf8')) as { name: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    const runtime = new Set(Object.keys(pkg.dependencies ?? {}));
    const all = new Set([...runtime, ...Object.keys(pkg.devDependencies ?? {}), pkg.name]);
    let sources: string[];
    try {
      sources = files(`${root}${ws}/src`);
    } catch {
      continue; // a package without src/ (tools/deploy has only tests)
    }
    for (const file of sources) {
      const inTest = file.endsWith('.test.ts');
      for (const match of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'".][^'"]*)['"]/g)) {
        const name = match[1] as string;
        if (name.startsWith('node:') || name.startsWith('${')) continue;
        const base = name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : (name.split('/')[0] as string);
        const ok = inTest ? all.has(base) || rootDev.has(base) : runtime.has(base) || base === pkg.name;
        assert.ok(ok, `${ws}: ${file.slice(root.length)} imports ${base}, which ${ws}/package.json does not declare${inTest ? '' : ' as a dependency'}`);
      }
    }
  }
});
