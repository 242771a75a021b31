/**
 * The forms of the corpus, as content (what the page asks and what was answered) plus the
 * habits of the hand that drew them (generator, font, box size and drawing, mark styles,
 * which side the label is on). Answers are drawn from a seeded generator per form.
 */
import { A4, LETTER, rng } from './common.mjs';

const YNA = ['Yes', 'No', 'N/A'];
const YN = ['Yes', 'No'];

const ROOF = ['Known roof leaks?', 'Roof replaced in the last 10 years?', 'Any ice dams or gutter damage?', 'Skylights leaking now or before?'];
const STRUCTURE = [
  'Cracks in the foundation or slab?', 'Water in the basement or crawl space?', 'Termite damage or treatment?',
  'Settling, sliding or soil movement?', 'Additions built without a permit?', 'Mold or mildew observed?',
];
const SYSTEMS = [
  'Problems with the electrical system?', 'Plumbing leaks or low pressure?', 'Heating system serviced yearly?',
  'Central air conditioning working?', 'Water heater older than 10 years?', 'Sump pump installed?',
];
const ENVIRONMENT = [
  'Lead-based paint known on the property?', 'Asbestos-containing materials?', 'Radon test performed?',
  'Underground storage tank?', 'Property in a flood zone?', 'Flood insurance claims filed?',
];
const LEGAL = [
  'Pending lawsuits affecting the property?', 'Easements or encroachments?', 'Homeowners association dues?',
  'Special assessments pending?', 'Boundary disputes with neighbours?', 'Zoning violations noticed?',
];

const RADIO_GROUPS = [
  ['Water source:', ['Public', 'Well', 'Other']],
  ['Sewer:', ['Public', 'Septic', 'Cesspool']],
  ['Heating fuel:', ['Gas', 'Electric', 'Oil', 'Other']],
  ['Occupancy:', ['Owner', 'Tenant', 'Vacant']],
  ['Roof type:', ['Shingle', 'Tile', 'Metal', 'Flat']],
  ['Garage:', ['Attached', 'Detached', 'None']],
];

/** One question row: `options` with the chosen ones; about one in six left unanswered. */
function question(r, q, options, { shape = 'square', multi = false, below = false, unanswered = 0.16 } = {}) {
  let chosen = [];
  if (!r.chance(unanswered)) chosen = multi ? options.map((_, i) => i).filter(() => r.chance(0.5)) : [r.int(0, options.length - 1)];
  return { t: 'q', q, options, chosen, shape, below };
}

const answer = (label, value, pos = 'left', width = undefined) => ({ t: 'answer', label, value, pos, width });

function form1() {
  const r = rng(101);
  const page1 = [
    { t: 'title', text: "Seller's Property Disclosure Statement" },
    answer('Property address:', '1234 Elm Street, Springfield'),
    answer('Seller name(s):', 'Dana & Lee Whitford'),
    { t: 'section', text: 'A. Roof and structure' },
    ...[...ROOF, ...STRUCTURE.slice(0, 4)].map((q) => question(r, q, YNA)),
    question(r, ...RADIO_GROUPS[0], { shape: 'circle' }),
  ];
  const page2 = [
    { t: 'section', text: 'B. Systems' },
    ...SYSTEMS.map((q) => question(r, q, YNA)),
    question(r, 'Appliances included in the sale:', ['Range', 'Dishwasher', 'Refrigerator', 'Washer'], { multi: true, below: true }),
    answer('Describe any repairs made in the last five years:', 'Replaced the water heater in 2021.', 'above'),
    { t: 'check', label: 'Seller has read this statement', chosen: true },
  ];
  return {
    id: 'disclosure-a', generator: 'pdf-lib', size: LETTER, font: 'Helvetica', bold: 'Helvetica-Bold', fontSize: 10,
    boxSize: [10, 10], lineWidth: 0.8, boxDrawing: 'path', labelSide: 'right', optionsX: 360,
    styles: { square: ['check-path', 'ballot-x'], circle: ['radio-dot'] }, pages: [page1, page2],
  };
}

function form2() {
  const r = rng(202);
  const page = [
    { t: 'title', text: 'Residential Property Condition Disclosure' },
    answer('Property:', '77 Harbour View Road, Portsmouth'),
    { t: 'section', text: 'Environmental' },
    ...ENVIRONMENT.map((q) => question(r, q, YN)),
    { t: 'section', text: 'Legal and association' },
    ...LEGAL.map((q) => question(r, q, YN)),
    question(r, ...RADIO_GROUPS[1], { shape: 'circle' }),
    question(r, ...RADIO_GROUPS[3], { shape: 'circle' }),
    answer('Association name:', '', 'left'),
    answer('Explain any Yes answer:', 'Radon test 2019: 1.8 pCi/L, below action level.', 'above'),
  ];
  return {
    id: 'disclosure-b', generator: 'ps2pdf', size: A4, font: 'Times', bold: 'Times-Bold', fontSize: 11,
    boxSize: [12, 12], lineWidth: 1, boxDrawing: 'path', labelSide: 'left', optionsX: 380,
    styles: { square: ['pen-stroke', 'fill'], circle: ['fill', 'radio-dot'] }, pages: [page],
  };
}

function form3() {
  const r = rng(303);
  const items = ['Smoke detectors', 'CO detectors', 'Garage door opener', 'Doorbell', 'Ceiling fans', 'Window screens', 'Fireplace', 'Garbage disposal'];
  const page = [
    { t: 'title', text: 'Move-in Condition Checklist' },
    answer('Unit:', '4B'),
    answer('Tenant:', 'R. Okafor'),
    { t: 'section', text: 'Working on move-in day' },
    ...items.map((q) => question(r, q, ['Yes', 'No', 'N/A'])),
    { t: 'section', text: 'Keys handed over' },
    question(r, 'Keys:', ['Front', 'Back', 'Mailbox', 'Garage'], { multi: true }),
    question(r, 'Inspection done by:', ['Tenant', 'Landlord', 'Agent'], { shape: 'square' }),
  ];
  return {
    id: 'checklist-c', generator: 'pdf-lib', size: A4, font: 'Courier', bold: 'Courier-Bold', fontSize: 9,
    boxSize: [8, 9], lineWidth: 0.5, boxDrawing: 'glyph', labelSide: 'right', optionsX: 300,
    styles: { square: ['dingbat-check', 'dingbat-x', 'check-glyph'], circle: ['radio-dot'] }, pages: [page],
  };
}

function form4() {
  const r = rng(404);
  const page1 = [
    { t: 'title', text: 'HOMEOWNERS ASSOCIATION ADDENDUM' },
    answer('Buyer:', 'Maria Castellanos', 'above', 250),
    answer('Closing date:', '03/15/2026', 'above', 150),
    ...RADIO_GROUPS.slice(1).map(([q, o]) => question(r, q, o, { shape: 'circle' })),
    { t: 'section', text: 'Amenities (check all that apply)' },
    question(r, 'Shared:', ['Pool', 'Gym', 'Clubhouse', 'Tennis'], { multi: true }),
    ...LEGAL.slice(2, 6).map((q) => question(r, q, YNA)),
  ];
  const page2 = [
    { t: 'section', text: 'Acknowledgements' },
    { t: 'check', label: 'Buyer received the HOA bylaws', chosen: true },
    { t: 'check', label: 'Buyer received the last two budgets', chosen: false },
    { t: 'check', label: 'Buyer received the minutes of the last meeting', chosen: true },
    ...STRUCTURE.slice(3).map((q) => question(r, q, YNA, { below: true })),
    answer('Monthly dues:', '$ 245.00', 'left', 120),
    answer('Management company:', '', 'left'),
  ];
  return {
    id: 'hoa-d', generator: 'ps2pdf', size: LETTER, font: 'Helvetica', bold: 'Helvetica-Bold', fontSize: 10,
    boxSize: [13, 14], lineWidth: 1.2, boxDrawing: 'ps-form', labelSide: 'right', optionsX: 330,
    styles: { square: ['check-glyph', 'ballot-x', 'fill'], circle: ['radio-dot'] }, pages: [page1, page2],
  };
}

function form5() {
  const r = rng(505);
  const page = [
    { t: 'title', text: 'Pre-listing Inspection Checklist' },
    answer('Inspector:', 'J. Marchetti, lic. 55-2013'),
    answer('Date of inspection:', '11/02/2025', 'left', 110),
    { t: 'section', text: 'Exterior' },
    ...['Siding intact?', 'Grading slopes away from the house?', 'Decks and railings secure?', 'Driveway cracks?'].map((q) => question(r, q, YNA)),
    { t: 'section', text: 'Interior' },
    ...['Doors close and latch?', 'Stains on ceilings?', 'Outlets tested (GFCI)?', 'Stairs and handrails sound?', 'Attic ventilation adequate?'].map((q) =>
      question(r, q, YNA),
    ),
    question(r, 'Overall condition:', ['Good', 'Fair', 'Poor'], { shape: 'circle' }),
    question(r, 'Recommend a specialist for:', ['Roof', 'Electrical', 'Plumbing', 'HVAC'], { multi: true, below: true }),
  ];
  return {
    id: 'inspection-e', generator: 'pdf-lib', size: LETTER, font: 'DejaVuSerif', bold: 'Times-Bold', fontSize: 10,
    boxSize: [11, 11], lineWidth: 1.5, boxDrawing: 'xobject', labelSide: 'mixed', optionsX: 350,
    styles: { square: ['ballot-x', 'check-glyph', 'fill', 'pen-stroke'], circle: ['radio-dot', 'pen-stroke'] }, pages: [page],
  };
}

function form6() {
  const r = rng(606);
  const page = [
    { t: 'title', text: 'LEAD-BASED PAINT DISCLOSURE' },
    { t: 'text', text: 'Housing built before 1978 may contain lead-based paint.' },
    ...ENVIRONMENT.slice(0, 4).map((q) => question(r, q, YNA, { below: true })),
    question(r, 'Records available:', ['Reports', 'Invoices', 'None'], { multi: true }),
    question(r, 'Buyer waives the inspection?', YN),
    question(r, 'Paint condition:', ['Intact', 'Peeling', 'Unknown'], { shape: 'circle' }),
    question(r, 'Disclosure delivered by:', ['Mail', 'Email', 'Hand'], { shape: 'circle' }),
    ...SYSTEMS.slice(0, 4).map((q) => question(r, q, YN)),
    answer('Seller signature date:', '12/01/2025', 'left', 100),
    answer('Agent:', 'Northside Realty', 'left', 200),
  ];
  return {
    id: 'leadpaint-f', generator: 'ps2pdf', size: LETTER, font: 'Courier', bold: 'Courier-Bold', fontSize: 10,
    boxSize: [9, 10], lineWidth: 0.6, boxDrawing: 'path', labelSide: 'mixed', optionsX: 320,
    styles: { square: ['check-path', 'ballot-x', 'pen-stroke'], circle: ['radio-dot', 'fill'] }, pages: [page],
  };
}

export const FORMS = [form1(), form2(), form3(), form4(), form5(), form6()];
