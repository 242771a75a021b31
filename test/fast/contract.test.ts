/**
 * docs/api.md is the HTTP contract the repository carries: /openapi.json is checked against its
 * routes (openapi.test.ts), the fuzz test against its failure codes (test/long/load.test.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failureCodeSchema } from '../../src/protocol.js';
import { API_MD, contractFailureCodes, contractRoutes, SHARED_API_MD } from '../contract.js';

describe('docs/api.md', () => {
  it('is ../shared/API.md where that exists, and has the routes the service serves', () => {
    // Only the CI machine has ../shared; a clone alone checks what follows.
    if (existsSync(SHARED_API_MD)) expect(readFileSync(API_MD, 'utf8'), 'docs/api.md differs from ../shared/API.md').toBe(readFileSync(SHARED_API_MD, 'utf8'));
    expect(contractRoutes()).toEqual(expect.arrayContaining(['POST /api/jobs', 'GET /api/jobs/{id}', 'GET /api/jobs/{id}/result', 'DELETE /api/jobs/{id}', 'GET /healthz']));
  });

  it('lists the failure codes the service speaks, no more and no fewer', () => {
    expect([...contractFailureCodes()].sort()).toEqual([...failureCodeSchema.options].sort());
  });
});
