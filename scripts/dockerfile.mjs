// Reads the project's Dockerfile into stages and instructions, so that the production
// smoke test (smoke-prod.mjs) performs the Dockerfile's own steps and a unit test can check
// it. Understands the subset the Dockerfile uses and rejects anything else, so a new kind of
// instruction cannot be silently skipped by the smoke test.
import { readFileSync } from 'node:fs';

export const SUPPORTED = ['FROM', 'WORKDIR', 'COPY', 'RUN', 'ENV', 'USER', 'EXPOSE', 'HEALTHCHECK', 'ENTRYPOINT', 'CMD'];

/**
 * @typedef {{ op: string, args: string, flags: Record<string, string>, line: number }} Instruction
 * @typedef {{ name: string, base: string, instructions: Instruction[] }} Stage
 */

/** Joins `\` continuations, drops comments and blank lines; returns [lineNumber, text]. */
function logicalLines(text) {
  const out = [];
  let current = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (current === '' && (/^\s*#/.test(line) || line.trim() === '')) return;
    if (current !== '' && /^\s*#/.test(line)) return; // comment inside a continuation
    if (current === '') start = i + 1;
    if (line.endsWith('\\')) {
      current += line.slice(0, -1) + ' ';
      return;
    }
    current += line;
    out.push([start, current.trim()]);
    current = '';
  });
  if (current !== '') throw new Error('Dockerfile ends inside a line continuation');
  return out;
}

/** Leading `--name=value` flags of an instruction. */
function splitFlags(rest) {
  const flags = {};
  let args = rest;
  for (;;) {
    const m = /^--([a-z-]+)=(\S+)\s+/.exec(args);
    if (!m) break;
    flags[m[1]] = m[2];
    args = args.slice(m[0].length);
  }
  return { flags, args: args.trim() };
}

/** @returns {Stage[]} */
export function parseDockerfile(text) {
  const stages = [];
  for (const [line, content] of logicalLines(text)) {
    const m = /^([A-Za-z]+)\s+(.*)$/.exec(content);
    if (!m) throw new Error(`Dockerfile line ${line}: cannot read "${content}"`);
    const op = m[1].toUpperCase();
    if (!SUPPORTED.includes(op)) throw new Error(`Dockerfile line ${line}: ${op} is not supported by scripts/dockerfile.mjs`);
    const { flags, args } = splitFlags(m[2]);
    if (op === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`Dockerfile line ${line}: FROM ${args}`);
      stages.push({ name: from[2] ?? String(stages.length), base: from[1], instructions: [] });
      continue;
    }
    if (stages.length === 0) throw new Error(`Dockerfile line ${line}: ${op} before FROM`);
    stages.at(-1).instructions.push({ op, args, flags, line });
  }
  return stages;
}

export function readDockerfile(path) {
  return parseDockerfile(readFileSync(path, 'utf8'));
}

/** An exec-form (JSON array) argument list; shell form is refused to keep quoting exact. */
export function execForm(instruction) {
  let value;
  try {
    value = JSON.parse(instruction.args);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new Error(`Dockerfile line ${instruction.line}: ${instruction.op} must use the JSON form`);
  }
  return value;
}

/** `ENV A=1 B=2` → { A: '1', B: '2' } (the `KEY=value` form only). */
export function envPairs(instruction) {
  const pairs = {};
  for (const part of instruction.args.match(/\S+="[^"]*"|\S+=\S*/g) ?? []) {
    const i = part.indexOf('=');
    pairs[part.slice(0, i)] = part.slice(i + 1).replace(/^"(.*)"$/, '$1');
  }
  if (Object.keys(pairs).length === 0) throw new Error(`Dockerfile line ${instruction.line}: ENV needs KEY=value`);
  return pairs;
}

/** Debian packages named by `apt-get install` in a RUN, or null if it installs none. */
export function aptPackages(instruction) {
  const m = /apt-get\s+install\s+([^&;|]*)/.exec(instruction.args);
  if (!m) return null;
  return m[1].split(/\s+/).filter((w) => w !== '' && !w.startsWith('-'));
}

/** HEALTHCHECK's command, exec form. */
export function healthcheckCommand(instruction) {
  const m = /^((?:--[a-z-]+=\S+\s+)*)CMD\s+(.*)$/.exec(instruction.args);
  if (!m) throw new Error(`Dockerfile line ${instruction.line}: HEALTHCHECK must be [options] CMD [...]`);
  return execForm({ ...instruction, args: m[2] });
}

/** The final stage's start command: ENTRYPOINT then CMD. */
export function startCommand(stage) {
  const last = (op) => stage.instructions.filter((i) => i.op === op).at(-1);
  const entrypoint = last('ENTRYPOINT');
  const cmd = last('CMD');
  return [...(entrypoint ? execForm(entrypoint) : []), ...(cmd ? execForm(cmd) : [])];
}
