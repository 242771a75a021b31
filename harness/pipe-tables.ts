/** Reading a page's Markdown back: shared by the fidelity case (bench/fidelity.ts), the forms scorer (harness/forms-score.ts) and the scanned-tables test. */

/** Each pipe table of the Markdown as rows of cells (the rule under the header left out). */
export function pipeTables(markdown: string): string[][][] {
  const tables: string[][][] = [];
  let current: string[][] | null = null;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      current = null;
      continue;
    }
    if (!current) tables.push((current = []));
    if (/^\|( --- \|)+$/.test(line)) continue;
    current.push(line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return tables;
}
