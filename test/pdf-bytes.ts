import { deflateSync } from 'node:zlib';

/**
 * A PDF written byte by byte whose `pages` pages all draw one Flate-compressed content stream
 * (`content`) in Helvetica (F1), their size and font inherited from the page tree: each page is
 * a few bytes, so a few kB of PDF can hold megabytes of text a page (a "text bomb").
 */
export function sharedStreamPdf(pages: number, content: string, mediaBox = [0, 0, 612, 792]): Buffer {
  const stream = deflateSync(Buffer.from(content), { level: 9 });
  const kids = Array.from({ length: pages }, (_, i) => `${5 + i} 0 R`).join(' ');
  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from(`<< /Type /Pages /Kids [${kids}] /Count ${pages} /MediaBox [${mediaBox.join(' ')}] /Resources << /Font << /F1 4 0 R >> >> >>`),
    Buffer.concat([Buffer.from(`<< /Length ${stream.length} /Filter /FlateDecode >>\nstream\n`), stream, Buffer.from('\nendstream')]),
    Buffer.from('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'),
  ];
  for (let i = 0; i < pages; i++) objects.push(Buffer.from('<< /Type /Page /Parent 2 0 R /Contents 3 0 R >>'));
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n')];
  const offsets: number[] = [];
  let length = parts[0]!.length;
  objects.forEach((body, i) => {
    offsets.push(length);
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
    parts.push(obj);
    length += obj.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`));
  return Buffer.concat(parts);
}
