import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Tests live in folders by what they need: test/fast (no OCR child; servers and Redis on
 * loopback at most), test/ (real children, OCR, Chromium), test/long (load, soak, fuzz), which
 * runs only from `npm run test:long` (LONG_TESTS=1).
 */
const long = process.env.LONG_TESTS === '1';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: long ? configDefaults.exclude : [...configDefaults.exclude, 'test/long/**'],
    // The real-child tests start OCR children that use both cores; files take turns.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
