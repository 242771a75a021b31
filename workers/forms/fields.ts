import type { FieldType, FormField } from '../../src/protocol.js';
import type { PDFDocumentProxy, PDFPageProxy } from '../pdf/pdfjs.js';
import type { PageView } from '../page/page-view.js';
import { onPage, type Placement } from '../page/placement.js';

/** What pdfjs 5.6 tells of a widget annotation (src/core/annotation.js, WidgetAnnotation and subclasses). */
interface WidgetData {
  annotationType: number;
  fieldName?: string;
  fieldType?: string | null;
  fieldValue?: unknown;
  rect?: number[];
  hidden?: boolean;
  checkBox?: boolean;
  radioButton?: boolean;
  pushButton?: boolean;
  /** A check box's on state. */
  exportValue?: string;
  /** A radio button's on state (its export value). */
  buttonValue?: string | null;
  options?: { exportValue: string; displayValue: string }[];
  multiSelect?: boolean;
}

const WIDGET = 20;

/**
 * The page's AcroForm widgets with their values and boxes, in no particular order (the layout
 * puts them in reading order). pdfjs reads widget values from the field dictionaries (/V, and
 * /AS for a check box), decrypted like every other string, so encrypted forms need nothing more.
 */
export async function formFields(page: PDFPageProxy, view: PageView): Promise<FormField[]> {
  const annotations = (await page.getAnnotations()) as WidgetData[];
  const fields: FormField[] = [];
  for (const a of annotations) {
    if (a.annotationType !== WIDGET || a.hidden || !a.rect || a.rect.length !== 4) continue;
    const type = fieldType(a);
    if (!type) continue;
    const field: FormField = { name: a.fieldName ?? null, origin: 'acroform', type, value: fieldValue(a, type), bbox: onPage(view.transform as Placement, a.rect as [number, number, number, number]) };
    if (type === 'radio' && typeof a.buttonValue === 'string') field.export = a.buttonValue;
    fields.push(field);
  }
  return fields;
}

function fieldType(a: WidgetData): FieldType | null {
  switch (a.fieldType) {
    case 'Tx':
      return 'text';
    case 'Ch':
      return 'choice';
    case 'Sig':
      return 'signature';
    case 'Btn':
      return a.checkBox ? 'checkbox' : a.radioButton ? 'radio' : 'button';
    default:
      return null;
  }
}

function fieldValue(a: WidgetData, type: FieldType): FormField['value'] {
  switch (type) {
    case 'text':
      return typeof a.fieldValue === 'string' ? a.fieldValue : Array.isArray(a.fieldValue) ? a.fieldValue.join('\n') : '';
    case 'checkbox':
      return typeof a.fieldValue === 'string' && a.fieldValue !== 'Off' && a.fieldValue === a.exportValue;
    case 'radio':
      return typeof a.fieldValue === 'string' && a.fieldValue !== 'Off' && a.fieldValue === a.buttonValue;
    case 'choice': {
      // pdfjs holds the selection as export values; the reader of the page saw the display text.
      const chosen = (Array.isArray(a.fieldValue) ? a.fieldValue : [a.fieldValue]).filter((v): v is string => typeof v === 'string' && v !== '');
      const shown = chosen.map((v) => a.options?.find((o) => o.exportValue === v)?.displayValue || v);
      return a.multiSelect ? shown : (shown[0] ?? '');
    }
    default:
      return null;
  }
}

/**
 * What kind of form the document has: AcroForm fields (read from the pages' widgets), an XFA
 * packet and no AcroForm fields (pdfjs, with XFA off as here, sees no widgets and the form's
 * answers cannot be read), or none. Pages are asked for their annotations only in the first
 * case: measured on pdkids.pdf (55 pages, links but no form), getAnnotations costs ~100 ms.
 */
export async function formKind(doc: PDFDocumentProxy): Promise<'acroform' | 'xfa' | 'none'> {
  const { info } = (await doc.getMetadata()) as { info: { IsXFAPresent?: boolean; IsAcroFormPresent?: boolean; IsSignaturesPresent?: boolean } };
  // pdfjs does not count a form of signature fields alone as an AcroForm; its widgets are read all the same.
  if (info.IsAcroFormPresent === true || info.IsSignaturesPresent === true) return 'acroform';
  return info.IsXFAPresent === true ? 'xfa' : 'none';
}
