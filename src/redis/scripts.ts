import { readFileSync } from 'node:fs';

/** Beside this module in src/ and in dist/: `npm run build` copies src/redis/lua/ there. */
const LUA_DIR = new URL('./lua/', import.meta.url);

/** Values a script takes from the TypeScript side: a string, or a list the script tests membership of. */
export type LuaConstants = Record<string, string | readonly string[]>;

/**
 * The files `lua/<name>.lua`, in order, behind `constants` declared as Lua locals (a list as a
 * set: `{['a'] = true, …}`), so no script restates a key, channel or status. Read when called:
 * at start, where the modules that run the scripts are built.
 */
export function luaScript(constants: LuaConstants, ...names: string[]): string {
  const locals = Object.entries(constants).map(([name, value]) =>
    typeof value === 'string' ? `local ${name} = ${luaString(value)}` : `local ${name} = {${value.map((v) => `[${luaString(v)}] = true`).join(', ')}}`,
  );
  return [...locals, ...names.map((name) => readFileSync(new URL(`${name}.lua`, LUA_DIR), 'utf8'))].join('\n');
}

function luaString(value: string): string {
  if (!/^[\w:.-]*$/.test(value)) throw new Error(`not a plain Lua string: ${value}`);
  return `'${value}'`;
}
