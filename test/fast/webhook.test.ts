import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffMs, MAX_RETRY_AFTER_MS, retryAfterMs } from '../../src/webhook/backoff.js';
import { attemptOptions } from '../../src/webhook/attempt.js';
import { WebhookSender, type DeliveryOutcome, type DeliveryReport } from '../../src/webhook/deliver.js';
import { assertPublicUrl, ForbiddenTargetError, isPublicAddress, type Resolver } from '../../src/webhook/guard.js';
import { pinnedLookup } from '../../src/webhook/lookup.js';
import { createSigner, webhookHeaders } from '../../src/webhook/sign.js';
import { startReceiver, type Receiver } from '../receiver.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('signing', () => {
  it('reproduces the Standard Webhooks specification example', () => {
    // The published test vector (standard-webhooks, libraries/javascript/src/webhook.test.ts, "sign function works").
    const sign = createSigner(SECRET);
    expect(sign('msg_p5jXN8AQM9LWM0D4loKWxJek', new Date(1614265330 * 1000), '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('builds headers a receiver verifies; without a secret it sends no signature', () => {
    const body = '{"type":"job.succeeded"}';
    const headers = webhookHeaders('msg_1', body, createSigner(SECRET));
    expect(new Webhook(SECRET).verify(body, headers)).toEqual({ type: 'job.succeeded' });
    expect(() => new Webhook(SECRET).verify(`${body} `, headers)).toThrow();
    const unsigned = webhookHeaders('msg_1', body, undefined, new Date(1614265330 * 1000));
    expect(unsigned).toEqual({ 'webhook-id': 'msg_1', 'webhook-timestamp': '1614265330' });
  });
});

describe('SSRF guard', () => {
  const refused = [
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '224.0.0.1',
    '0.0.0.0', '255.255.255.255', '240.0.0.1', '::', '::1', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::ffff:7f00:1', '::127.0.0.1', '::7f00:1', '::a00:1',
    '64:ff9b::a00:1', 'not-an-address',
  ];
  const allowed = ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:2800:220:1::1', '::ffff:93.184.216.34'];

  it.each(refused)('refuses %s', (address) => expect(isPublicAddress(address)).toBe(false));
  it.each(allowed)('allows %s', (address) => expect(isPublicAddress(address)).toBe(true));

  it('checks URLs: scheme, literals, and every resolved address', async () => {
    const resolver: Resolver = async (host) => {
      const table: Record<string, string[]> = {
        'public.test': ['93.184.216.34', '2606:2800:220:1::1'],
        'mixed.test': ['93.184.216.34', '10.0.0.7'],
        localhost: ['127.0.0.1', '::1'],
      };
      const answer = table[host];
      if (!answer) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      return answer;
    };
    await expect(assertPublicUrl('https://public.test/hook', resolver)).resolves.toBeUndefined();
    await expect(assertPublicUrl('http://93.184.216.34:8080/x', resolver)).resolves.toBeUndefined();
    for (const url of ['http://localhost/', 'http://mixed.test/', 'http://127.0.0.1:9/x', 'http://[::1]/', 'http://[::ffff:10.0.0.1]/', 'http://2130706433/', 'http://0x7f.0.0.1/', 'http://127.1/', 'ftp://public.test/', 'file:///etc/passwd', 'http://nowhere.test/']) {
      await expect(assertPublicUrl(url, resolver), url).rejects.toBeInstanceOf(ForbiddenTargetError);
    }
  });

  it('pins the connection to the checked address: a rebinding answer is refused, not connected to', async () => {
    const answers = [['93.184.216.34'], ['127.0.0.1']];
    let calls = 0;
    const rebinding: Resolver = async () => answers[calls++]!;
    const lookup = pinnedLookup(rebinding, false);
    const first = await new Promise<unknown[]>((resolve) => lookup('rebind.test', { all: true }, (...args) => resolve(args)));
    expect(first).toEqual([null, [{ address: '93.184.216.34', family: 4 }]]);
    expect(calls).toBe(1);
    const second = await new Promise<unknown[]>((resolve) => lookup('rebind.test', {}, (...args) => resolve(args)));
    expect(second[0]).toBeInstanceOf(ForbiddenTargetError);
    expect(calls).toBe(2);
  });

  it('the pinned lookup answers single-address and family-restricted lookups from the checked list', async () => {
    const lookup = pinnedLookup(async () => ['2606:2800:220:1::1', '93.184.216.34'], false);
    const v4 = await new Promise<unknown[]>((resolve) => lookup('dual.test', { family: 4 }, (...args) => resolve(args)));
    expect(v4).toEqual([null, '93.184.216.34', 4]);
    const any = await new Promise<unknown[]>((resolve) => lookup('dual.test', {}, (...args) => resolve(args)));
    expect(any).toEqual([null, '2606:2800:220:1::1', 6]);
  });
});

describe('backoff', () => {
  it('spreads the default schedule over about five minutes, with jitter', () => {
    const base = 5000;
    const middle = [1, 2, 3, 4, 5].map((n) => backoffMs(n, base, () => 0.5));
    expect(middle).toEqual([5000, 15000, 30000, 60000, 180000]);
    const total = middle.reduce((a, b) => a + b, 0);
    expect(total).toBe(290_000);
    expect(backoffMs(1, base, () => 0)).toBe(4000);
    expect(backoffMs(1, base, () => 1)).toBe(6000);
    expect(backoffMs(9, base, () => 0.5)).toBe(180000);
  });

  it('reads Retry-After as seconds or a date, capped', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(retryAfterMs('86400', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('sender (real receiver on 127.0.0.1)', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((o) => o.close()));
  });

  async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
    const r = await startReceiver(...args);
    open.push(r);
    return r;
  }

  /** A sender built as the service builds it (attemptOptions from the WEBHOOK_* settings), on short timings. */
  function sender(options: { maxAttempts?: number; retryBaseMs?: number; timeoutMs?: number; allowPrivate?: boolean; resolver?: Resolver } = {}) {
    const outcomes: DeliveryOutcome[] = [];
    const config = { webhookTimeoutMs: options.timeoutMs ?? 2000, webhookAllowPrivate: options.allowPrivate ?? true, webhookSecret: SECRET };
    const s = new WebhookSender({
      maxAttempts: options.maxAttempts ?? 6,
      retryBaseMs: options.retryBaseMs ?? 10,
      attempt: attemptOptions(config, options.resolver),
      onOutcome: (o) => outcomes.push(o),
    });
    open.push({ close: () => s.flush(0) });
    return { s, outcomes };
  }

  /** Sends one message and resolves with every report once the delivery has ended. */
  function deliver(s: WebhookSender, url: string, body = '{"type":"job.succeeded"}'): Promise<DeliveryReport[]> {
    const reports: DeliveryReport[] = [];
    return new Promise((resolve) => {
      s.send({ id: 'msg_test1', url, body }, (report) => {
        reports.push(report);
        if (report.state !== 'pending') resolve(reports);
      });
    });
  }

  it('delivers once, signed so that the standardwebhooks library verifies it', async () => {
    const r = await receiver();
    const { s, outcomes } = sender();
    const reports = await deliver(s, `${r.url}/hook?x=1`);
    expect(reports).toEqual([{ state: 'delivered', attempts: 1, lastStatus: 200, lastError: undefined }]);
    expect(outcomes).toEqual(['delivered']);
    const [req] = r.received;
    expect(req!.path).toBe('/hook?x=1');
    expect(req!.headers['content-type']).toBe('application/json');
    expect(new Webhook(SECRET).verify(req!.body, req!.headers as Record<string, string>)).toEqual({ type: 'job.succeeded' });
  });

  it('retries 5xx with the same webhook-id and body, then succeeds', async () => {
    const r = await receiver([{ status: 500 }, { status: 502 }]);
    const { s } = sender();
    const reports = await deliver(s, r.url);
    expect(reports.map((x) => [x.state, x.attempts, x.lastStatus])).toEqual([
      ['pending', 1, 500],
      ['pending', 2, 502],
      ['delivered', 3, 200],
    ]);
    expect(new Set(r.received.map((x) => x.headers['webhook-id']))).toEqual(new Set(['msg_test1']));
    expect(new Set(r.received.map((x) => x.body)).size).toBe(1);
    for (const x of r.received) new Webhook(SECRET).verify(x.body, x.headers as Record<string, string>);
  });

  it('gives up after WEBHOOK_MAX_ATTEMPTS; a closed port counts as a retryable connection error', async () => {
    const r = await receiver([{ status: 500 }, { status: 500 }, { status: 500 }]);
    const { s, outcomes } = sender({ maxAttempts: 3 });
    const reports = await deliver(s, r.url);
    expect(reports.at(-1)).toMatchObject({ state: 'failed', attempts: 3, lastStatus: 500, lastError: 'HTTP 500' });
    expect(outcomes).toEqual(['failed']);
    expect(r.received).toHaveLength(3);

    const closed = await startReceiver();
    await closed.close();
    const refused = await deliver(s, closed.url);
    expect(refused.at(-1)).toMatchObject({ state: 'failed', attempts: 3, lastStatus: undefined, lastError: 'ECONNREFUSED' });
  });

  it('honours Retry-After on 429', async () => {
    const r = await receiver([{ status: 429, headers: { 'retry-after': '1' } }]);
    const { s } = sender();
    const reports = await deliver(s, r.url);
    expect(reports.at(-1)).toMatchObject({ state: 'delivered', attempts: 2 });
    const [first, second] = r.received;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it('treats other 4xx as final: one attempt only', async () => {
    const r = await receiver([{ status: 404 }]);
    const { s, outcomes } = sender();
    const reports = await deliver(s, r.url);
    expect(reports).toEqual([{ state: 'failed', attempts: 1, lastStatus: 404, lastError: 'HTTP 404' }]);
    expect(outcomes).toEqual(['failed']);
    // The delivery has ended: the sender holds nothing that could send again.
    expect(r.received).toHaveLength(1);
  });

  it('does not follow redirects', async () => {
    const target = await receiver();
    const r = await receiver([{ status: 307, headers: { location: `${target.url}/elsewhere` } }]);
    const { s } = sender();
    const reports = await deliver(s, r.url);
    expect(reports).toEqual([{ state: 'failed', attempts: 1, lastStatus: 307, lastError: 'HTTP 307 (redirects are not followed)' }]);
    expect(target.received).toHaveLength(0);
  });

  it('times out a hanging attempt and retries it', async () => {
    const r = await receiver([{ status: 200, hangMs: 3000 }]);
    const { s } = sender({ timeoutMs: 300 });
    const started = Date.now();
    const reports = await deliver(s, r.url);
    expect(reports.map((x) => [x.state, x.attempts, x.lastError])).toEqual([
      ['pending', 1, 'timed out after 300 ms'],
      ['delivered', 2, undefined],
    ]);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('refuses non-public targets at delivery time, also when DNS changes its answer (no request is made)', async () => {
    const r = await receiver();
    const { s, outcomes } = sender({ allowPrivate: false, resolver: async () => ['127.0.0.1'] });
    const literal = await deliver(s, r.url);
    expect(literal).toEqual([{ state: 'failed', attempts: 1, lastStatus: undefined, lastError: expect.stringMatching(/not allowed/) }]);
    const rebound = await deliver(s, `http://rebind.test:${r.port}/hook`);
    expect(rebound).toEqual([{ state: 'failed', attempts: 1, lastStatus: undefined, lastError: expect.stringMatching(/not allowed/) }]);
    // last_error is on the job for the client to read: it never says what the host resolved to.
    for (const report of [...literal, ...rebound]) expect(report.lastError).not.toMatch(/\d+\.\d+\.\d+\.\d+|::/);
    expect(outcomes).toEqual(['failed', 'failed']);
    expect(r.received).toHaveLength(0);
  });

  it('connects to the address the lookup checked, keeping the host name in the Host header', async () => {
    const r = await receiver();
    const asked: string[] = [];
    const { s } = sender({ resolver: async (host) => (asked.push(host), ['127.0.0.1']) });
    const reports = await deliver(s, `http://hook.test:${r.port}/in`);
    expect(reports.at(-1)!.state).toBe('delivered');
    expect(asked).toEqual(['hook.test']);
    expect(r.received[0]!.headers.host).toBe(`hook.test:${r.port}`);
  });

  it('delivers over IPv6 loopback', async () => {
    const r = await receiver([], '::1');
    const { s } = sender();
    expect((await deliver(s, `${r.url}/v6`)).at(-1)!.state).toBe('delivered');
  });

  it('flush attempts a delivery waiting out its backoff at once', async () => {
    const r = await receiver([{ status: 503 }]);
    const { s, outcomes } = sender({ retryBaseMs: 60_000 });
    // Flush once the first attempt has failed and the next waits out its backoff.
    let waiting = () => {};
    const backingOff = new Promise<void>((resolve) => (waiting = resolve));
    const reports: DeliveryReport[] = [];
    const done = new Promise<DeliveryReport[]>((resolve) => {
      s.send({ id: 'msg_test1', url: r.url, body: '{}' }, (report) => {
        reports.push(report);
        if (report.state === 'pending') waiting();
        else resolve(reports);
      });
    });
    await backingOff;
    const started = Date.now();
    await s.flush(5000);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await done).at(-1)).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(outcomes).toEqual(['delivered']);
  });

  it('flush abandons what is not done by the end of the grace period', async () => {
    const r = await receiver([{ status: 200, hangMs: 5000 }]);
    const { s, outcomes } = sender({ timeoutMs: 10_000 });
    const done = deliver(s, r.url);
    await r.waitFor(1);
    const started = Date.now();
    await s.flush(300);
    expect(Date.now() - started).toBeLessThan(1500);
    expect((await done).at(-1)).toMatchObject({ state: 'failed', attempts: 1, lastError: 'the service shut down before delivery' });
    expect(outcomes).toEqual(['abandoned']);
  });
});
