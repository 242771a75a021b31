// The Docker image's life without Docker: performs the Dockerfile's own steps (read from the
// Dockerfile itself) in a scratch folder, starts the result with the Dockerfile's
// ENTRYPOINT + CMD as a non-root user, runs its HEALTHCHECK, checks /healthz, OCRs one real
// scanned page, and shuts it down with SIGTERM. Loopback only; everything it starts is
// stopped and the scratch folder removed, pass or fail.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { aptPackages, envPairs, execForm, healthcheckCommand, readDockerfile, startCommand } from './dockerfile.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const CORPUS = path.join(ROOT, 'test/corpus');
const SCANNED = path.join(CORPUS, 'scanned/linn.pdf');
const EXPECTED = path.join(CORPUS, 'scanned/linn.expected.txt');
const RUNTIME_BASE = 'node:24-bookworm-slim';

const t0 = Date.now();
const step = (what) => console.log(`[smoke-prod +${((Date.now() - t0) / 1000).toFixed(1)}s] ${what}`);
const work = mkdtempSync(path.join(os.tmpdir(), 'pdf-ocr-smoke-'));
let server; // the started service, if any (cleanup() finds it and its children by folder)
const logs = [];

function fail(message) {
  throw new Error(message);
}

/** Container path → host path, per stage: each stage's filesystem is a folder of its own. */
const stageRoot = (name) => path.join(work, `stage-${name}`);
const hostPath = (stage, containerPath) => path.join(stageRoot(stage), containerPath);

/** Processes started from the scratch folder (the service and its children), by /proc. */
function ourProcesses() {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cmdline.includes(work) || cwd.startsWith(work)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return pids;
}

function cleanup() {
  for (const pid of ourProcesses()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  rmSync(work, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanup();
    process.exit(130);
  });
}

/** Environment of a RUN step: a minimal base plus the stage's ENV, with a private npm cache. */
function runEnv(stageEnv) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? os.homedir(),
    // A copy of the machine's npm cache: `npm cache clean` in a RUN must not wipe the real one.
    npm_config_cache: path.join(work, 'npm-cache'),
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false',
    ...stageEnv,
  };
}

/** Performs one stage's instructions; returns what the runtime needs from it. */
function buildStage(stage) {
  let workdir = '/';
  const env = {};
  let user;
  let healthcheck;
  const exposed = [];
  mkdirSync(stageRoot(stage.name), { recursive: true });
  for (const ins of stage.instructions) {
    const here = hostPath(stage.name, workdir);
    switch (ins.op) {
      case 'WORKDIR':
        workdir = path.posix.resolve(workdir, ins.args);
        mkdirSync(hostPath(stage.name, workdir), { recursive: true });
        break;
      case 'ENV':
        Object.assign(env, envPairs(ins));
        break;
      case 'COPY': {
        const parts = ins.args.startsWith('[') ? execForm(ins) : ins.args.split(/\s+/);
        const dest = parts.pop();
        const from = ins.flags.from;
        const target = path.join(here, dest);
        const intoDir = dest.endsWith('/') || parts.length > 1;
        if (intoDir) mkdirSync(target, { recursive: true });
        for (const src of parts) {
          const source = from ? hostPath(from, path.posix.resolve('/', src)) : path.join(ROOT, src);
          if (!existsSync(source)) fail(`COPY source missing (Dockerfile line ${ins.line}): ${source}`);
          cpSync(source, intoDir ? path.join(target, path.basename(src)) : target, { recursive: true });
        }
        step(`COPY ${ins.args}`);
        break;
      }
      case 'RUN': {
        const packages = aptPackages(ins);
        if (packages) {
          // System packages go into the image; here the machine must already have them.
          const missing = packages.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
          if (missing.length > 0) fail(`Debian packages the image installs are missing here: ${missing.join(' ')} (apt-get install them)`);
          step(`RUN apt-get install: ${packages.join(' ')} present`);
          break;
        }
        step(`RUN ${ins.args}`);
        const r = spawnSync('/bin/sh', ['-c', ins.args], { cwd: here, env: runEnv(env), stdio: 'inherit' });
        if (r.status !== 0) fail(`RUN failed (Dockerfile line ${ins.line}, status ${r.status ?? r.signal}): ${ins.args}`);
        break;
      }
      case 'USER':
        user = ins.args;
        break;
      case 'EXPOSE':
        exposed.push(...ins.args.split(/\s+/));
        break;
      case 'HEALTHCHECK':
        healthcheck = healthcheckCommand(ins);
        break;
      case 'ENTRYPOINT':
      case 'CMD':
        execForm(ins); // checked here, used below
        break;
      default:
        fail(`unhandled instruction ${ins.op}`);
    }
  }
  return { workdir: hostPath(stage.name, workdir), env, user, healthcheck, exposed, command: startCommand(stage) };
}

/** Uid/gid to run as: the image's user if it exists here, else nobody. Null when not root. */
function runAs(user) {
  if (process.getuid?.() !== 0) return null;
  for (const name of [user, 'nobody']) {
    if (!name) continue;
    const id = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (id.status === 0) return { name, uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  fail('no unprivileged user to run the service as');
}

function words(text) {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function wordRecall(actual, expected) {
  const counts = new Map();
  for (const w of words(actual)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const want = words(expected);
  let hit = 0;
  for (const w of want) {
    const n = counts.get(w) ?? 0;
    if (n > 0) {
      hit++;
      counts.set(w, n - 1);
    }
  }
  return want.length === 0 ? 1 : hit / want.length;
}

async function main() {
  const stages = readDockerfile(path.join(ROOT, 'Dockerfile'));
  const final = stages.at(-1);
  if (stages.length < 2) fail('the Dockerfile should build in one stage and run in another');
  if (final.base !== RUNTIME_BASE) fail(`the runtime stage should be FROM ${RUNTIME_BASE}, not ${final.base}`);
  step(`Dockerfile: stages ${stages.map((s) => `${s.name} (${s.base})`).join(', ')}`);
  // The image's `node` is its base's; here it is the first on PATH (.ci/run puts the project's pinned one there).
  const nodeVersion = spawnSync('node', ['--version'], { encoding: 'utf8' }).stdout.trim();
  const baseMajor = /^node:(\d+)/.exec(final.base)[1];
  if (!nodeVersion.startsWith(`v${baseMajor}.`)) fail(`node on PATH is ${nodeVersion}, the image runs Node ${baseMajor}`);
  step(`node ${nodeVersion}`);

  if (existsSync(path.join(os.homedir(), '.npm'))) cpSync(path.join(os.homedir(), '.npm'), path.join(work, 'npm-cache'), { recursive: true });

  let runtime;
  for (const stage of stages) runtime = buildStage(stage);
  const as = runAs(runtime.user);
  if (!runtime.user || runtime.user === 'root') fail('the image should run as a non-root USER');

  // The service gets a temp dir it owns and a read-only app folder, as in the image.
  chmodSync(work, 0o755);
  const tmpDir = path.join(work, 'tmp');
  mkdirSync(tmpDir);
  if (as) chownSync(tmpDir, as.uid, as.gid);

  const command = runtime.command;
  if (command.length === 0) fail('no ENTRYPOINT/CMD');
  const wrapped = as ? ['setpriv', `--reuid=${as.uid}`, `--regid=${as.gid}`, '--clear-groups', '--', ...command] : command;
  step(`start (as ${as ? as.name : 'the current user'}): ${command.join(' ')}`);
  // Outside a container tini is not PID 1: as a subreaper it still reaps orphans.
  const env = { PATH: process.env.PATH, HOME: tmpDir, ...runtime.env, TINI_SUBREAPER: '1', HOST: '127.0.0.1', PORT: '0', TMP_DIR: tmpDir, LOG_LEVEL: 'info' };
  server = spawn(wrapped[0], wrapped.slice(1), { cwd: runtime.workdir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stderr.on('data', (d) => logs.push(d.toString()));
  const exited = new Promise((resolve) => server.once('exit', (code, signal) => resolve({ code, signal })));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the service did not start within 30 s')), 30_000);
    createInterface({ input: server.stdout }).on('line', (line) => {
      logs.push(line);
      const port = /"port":(\d+)/.exec(line)?.[1];
      if (line.includes('listening') && port) {
        clearTimeout(timer);
        resolve(Number(port));
      }
    });
    void exited.then(({ code, signal }) => reject(new Error(`the service exited at start (${code ?? signal})`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const start = JSON.parse(logs.find((l) => l.includes('listening')));
  step(`listening on ${url}; OCR model: ${start.ocrModel}; workers: ${start.workers}`);
  if (!/system/.test(start.ocrModel)) fail(`expected the Debian (fast) OCR model, got ${start.ocrModel}`);

  if (runtime.healthcheck) {
    const hc = spawnSync(runtime.healthcheck[0], runtime.healthcheck.slice(1), { env: { ...env, PORT: String(port) }, timeout: 10_000 });
    if (hc.status !== 0) fail(`HEALTHCHECK failed: ${hc.stderr}`);
    step('HEALTHCHECK passes');
  }
  const health = await fetch(`${url}/healthz`);
  const healthBody = await health.json();
  if (health.status !== 200 || healthBody.status !== 'ok') fail(`/healthz: ${health.status} ${JSON.stringify(healthBody)}`);
  step(`/healthz: ${JSON.stringify(healthBody)}`);

  const form = new FormData();
  form.append('file', new Blob([readFileSync(SCANNED)], { type: 'application/pdf' }), 'linn.pdf');
  const submitted = await fetch(`${url}/api/jobs`, { method: 'POST', body: form });
  if (submitted.status !== 202) fail(`submit: ${submitted.status} ${await submitted.text()}`);
  const { id } = await submitted.json();
  let job;
  for (const deadline = Date.now() + 120_000; ; ) {
    job = await (await fetch(`${url}/api/jobs/${id}`)).json();
    if (!['queued', 'running'].includes(job.status)) break;
    if (Date.now() > deadline) fail(`the scanned job is still ${job.status} after 120 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  if (job.status !== 'succeeded') fail(`the scanned job ${job.status}: ${JSON.stringify(job.error)}`);
  const result = await (await fetch(`${url}/api/jobs/${id}/result`)).json();
  const recall = wordRecall(result.text, readFileSync(EXPECTED, 'utf8'));
  const sources = result.pages.map((p) => p.source).join(',');
  if (!result.pages.some((p) => p.source === 'ocr') || recall < 0.8) fail(`OCR result: sources ${sources}, word recall ${recall.toFixed(2)}`);
  step(`scanned job succeeded: pages ${sources}, word recall ${recall.toFixed(2)}`);

  const metrics = await (await fetch(`${url}/metrics`)).text();
  if (!/^jobs_finished_total\{status="succeeded"\} 1$/m.test(metrics)) fail('/metrics does not count the job');
  step('/metrics counts it');

  server.kill('SIGTERM');
  const timer = setTimeout(() => fail('no exit within 40 s of SIGTERM'), 40_000);
  const { code, signal } = await exited;
  clearTimeout(timer);
  if (code !== 0) fail(`exit after SIGTERM: ${code ?? signal}, expected 0`);
  if (!logs.some((l) => l.includes('"msg":"stopped"'))) fail('no "stopped" log line after SIGTERM');
  const left = ourProcesses();
  if (left.length > 0) fail(`processes still alive after the service exited: ${left.join(' ')}`);
  step('SIGTERM: drained and exited 0, nothing left running');
}

try {
  await main();
  console.log(`smoke-prod: OK in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
} catch (err) {
  console.error(`smoke-prod: FAILED: ${err.message}`);
  if (logs.length > 0) console.error(`--- service output ---\n${logs.join('\n')}`);
  process.exitCode = 1;
} finally {
  cleanup();
}
