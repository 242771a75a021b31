import { configDefaults, defineConfig } from 'vitest/config';

/** The long tests (load, soak, fuzz) run only from `npm run test:long`, which sets LONG_TESTS=1. */
const LONG_TESTS = ['test/load.test.ts'];
const long = process.env.LONG_TESTS === '1';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: long ? configDefaults.exclude : [...configDefaults.exclude, ...LONG_TESTS],
    // Every test file starts real servers and OCR children; on two cores they take turns.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
