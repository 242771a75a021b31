import { describe, expect, it } from 'vitest';
import { parsePageSpec, selectPages } from '../../src/pages.js';

describe('page selections', () => {
  const valid: [string, number, number[]][] = [
    ['1', 5, [1]],
    ['1-3,7', 10, [1, 2, 3, 7]],
    ['10-', 12, [10, 11, 12]],
    ['3-5,4-6', 10, [3, 4, 5, 6]],
    [' 2 , 1 ', 5, [1, 2]],
    ['4-9', 5, [4, 5]],
    ['7', 5, []],
  ];
  for (const [spec, count, pages] of valid) {
    it(`selects ${JSON.stringify(spec)} of ${count} pages as ${JSON.stringify(pages)}`, () => {
      expect(parsePageSpec(spec)).not.toBeNull();
      expect(selectPages(spec, count)).toEqual(pages);
    });
  }

  it('selects every page when there is no selection', () => {
    expect(selectPages(null, 3)).toEqual([1, 2, 3]);
  });

  for (const spec of ['', '0', '3-1', 'a', '1-2-3', '1,,2', '-3', '1.5']) {
    it(`refuses ${JSON.stringify(spec)}`, () => expect(parsePageSpec(spec)).toBeNull());
  }
});
