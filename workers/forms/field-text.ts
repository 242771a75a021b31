import type { FormField } from '../../src/protocol.js';

/**
 * How a form field reads inline: a box as `[x]` / `[ ]`, a text field as its value, a choice as
 * its option(s); signatures and buttons say nothing.
 */
export function fieldText(field: FormField): string {
  switch (field.type) {
    case 'checkbox':
    case 'radio':
      return field.value === true ? '[x]' : '[ ]';
    case 'text':
      return typeof field.value === 'string' ? field.value : '';
    case 'choice':
      return Array.isArray(field.value) ? field.value.join(', ') : typeof field.value === 'string' ? field.value : '';
    default:
      return '';
  }
}
