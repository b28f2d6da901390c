// "Share your story": a council officer submits a case study with no key and no RDF. Outcomes,
// approaches and regions are chosen from the graph's own lists; the type of evidence is the
// submitter's own claim, which a curator grades before anything is public.
//
// API calls behind this view: GET /nodes?kind= (the lists), POST /submissions (the story).

import * as api from '../api.js';
import { announce, fill, h } from '../dom.js';
import { DIRECTION_LABELS } from '../evidence.js';
import { control, errorSummary, honeypot, lines, radios, sending, showErrors, whole } from '../forms.js';
import { choices } from './works.js';

const ORGANISATION_TYPES = [
  ['council', 'A council'], ['combined_authority', 'A combined authority'], ['nhs', 'The NHS'],
  ['police', 'The police'], ['fire', 'A fire and rescue service'], ['other', 'Another body'],
];
const STATUSES = [
  ['completed', 'It has been evaluated: the findings are in'],
  ['ongoing', 'An evaluation is under way'],
  ['planned', 'An evaluation is planned'],
];
const DIRECTIONS = Object.entries(DIRECTION_LABELS);
const CS = 'body.case_study';

/** The graph's evidence types, named in a submission as their ids are spelt (one spelling). */
export async function evidenceTypes() {
  const types = await choices('EvidenceType', '');
  return types.filter(([id]) => id);
}

export async function render(page) {
  const [outcomes, interventions, regions, types] = await Promise.all([
    choices('Outcome', 'Choose an outcome'), choices('Intervention', ''), choices('Region', 'Not given'),
    evidenceTypes(),
  ]);
  const claims = h('div', { class: 'claim-rows' });
  const rows = [];
  function claimRow(values = {}) {
    const i = rows.length;
    const at = `${CS}.evidence.${i}`;
    const row = h('fieldset', { class: 'claim-row', 'data-location': at },
      h('legend', {}, `Outcome ${i + 1}`),
      control('select', { id: `f-claim-${i}-outcome`, label: 'Which outcome did it advance?', location: `${at}.outcome`, options: outcomes, value: values.outcome }),
      control('select', { id: `f-claim-${i}-type`, label: 'How was it evaluated? (your own view)', location: `${at}.evidence_type`, options: types, value: values.evidence_type ?? 'self-reported-case-study' }),
      control('select', { id: `f-claim-${i}-direction`, label: 'What did you find?', location: `${at}.direction`, options: DIRECTIONS, value: values.direction ?? 'not_stated' }));
    rows.push(row);
    claims.append(row);
    return row;
  }
  claimRow();
  const addClaim = h('button', { type: 'button', class: 'secondary' }, 'Add another outcome');
  addClaim.addEventListener('click', () => claimRow().querySelector('select').focus());

  const summary = errorSummary('share');
  const form = h('form', { id: 'share', class: 'write', method: 'post', novalidate: true, 'aria-describedby': 'share-privacy' },
    h('fieldset', {}, h('legend', {}, 'What you did'),
      control('input', { id: 'f-title', label: 'A short title', location: `${CS}.title`, attrs: { required: true } }),
      control('textarea', { id: 'f-summary', label: 'What did you do, and why?', location: `${CS}.summary`, attrs: { required: true } }),
      h('fieldset', { class: 'field checks', 'data-location': `${CS}.interventions`, id: 'f-interventions' },
        h('legend', {}, 'Which approaches did it use?'),
        h('div', { class: 'check-list' }, interventions.filter(([id]) => id).map(([id, name]) => h('div', { class: 'check' },
          h('input', { type: 'checkbox', id: `f-int-${id}`, name: 'interventions', value: id }),
          h('label', { for: `f-int-${id}` }, name)))))),
    h('fieldset', {}, h('legend', {}, 'Who, where and when'),
      control('input', { id: 'f-organisation', label: 'The organisation that led it', location: `${CS}.organisation`, attrs: { required: true, autocomplete: 'organization' } }),
      control('select', { id: 'f-organisation-type', label: 'What kind of organisation', location: `${CS}.organisation_type`, options: ORGANISATION_TYPES, value: 'council' }),
      control('textarea', { id: 'f-partners', label: 'Who worked with you', hint: 'Organisations, one a line.', location: `${CS}.partners`, attrs: { rows: 2 } }),
      control('textarea', { id: 'f-places', label: 'Where', hint: 'Places (a council area, a town), one a line.', location: `${CS}.places`, attrs: { rows: 2 } }),
      control('select', { id: 'f-region', label: 'Region', location: `${CS}.region`, options: regions }),
      control('input', { id: 'f-year', label: 'The year it started', location: `${CS}.year`, attrs: { inputmode: 'numeric', size: 6 } }),
      control('input', { id: 'f-year-end', label: 'The year it ended (if it has)', location: `${CS}.year_end`, attrs: { inputmode: 'numeric', size: 6 } })),
    h('fieldset', {}, h('legend', {}, 'What you found'),
      h('p', { class: 'hint' }, 'For each outcome, say how it was evaluated: a curator grades the evidence before it is published, and both your view and theirs are kept.'),
      claims, addClaim,
      control('textarea', { id: 'f-results', label: 'Results, in your own words and figures', hint: 'One a line, as your sources state them.', location: `${CS}.reported_results` }),
      control('textarea', { id: 'f-sources', label: 'Sources', hint: 'Web addresses of reports or pages about it, one a line. At least one.', location: `${CS}.source_urls`, attrs: { rows: 2, required: true } })),
    h('fieldset', {}, h('legend', {}, 'Evaluation'),
      radios({ id: 'f-status', name: 'evaluation_status', legend: 'Has it been evaluated?', location: 'body.evaluation_status', options: STATUSES, value: 'completed' }),
      control('input', { id: 'f-expected', label: 'When is the evaluation report expected?', hint: 'Only for an evaluation under way or planned.', location: 'body.expected_report_date', attrs: { type: 'date' } })),
    h('fieldset', {}, h('legend', {}, 'How we can reach you'),
      h('p', { class: 'hint', id: 'share-privacy' }, 'Your name and email are seen by the curators only, never published.'),
      control('input', { id: 'f-contact-name', label: 'Your name', location: 'body.contact.name', attrs: { autocomplete: 'name', required: true } }),
      control('input', { id: 'f-contact-email', label: 'Your email', location: 'body.contact.email', attrs: { type: 'email', autocomplete: 'email', required: true } })),
    honeypot('f'),
    h('button', { type: 'submit' }, 'Send your story'));
  const outcome = h('div', { class: 'outcome-box' });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const receipt = await sending(form, () => api.submit(body(form, rows.length)));
      fill(outcome, thanks(receipt));
      form.hidden = true;
      summary.hidden = true;
      outcome.querySelector('h2').focus();
      announce(`Sent. Your receipt is ${receipt.receipt}.`);
    } catch (error) {
      showErrors(form, summary, error, 'Your story was not sent: please check these');
    }
  });

  fill(page,
    h('h1', { tabindex: -1 }, 'Share your story'),
    h('p', { class: 'lede' }, 'Tell us what your council or service did and what it found. You need no account. ',
      'Nothing you send is public until a curator has checked it and graded its evidence; you get a receipt to follow it.'),
    summary, form, outcome);
}

/** The submission as the API takes it; empty optional fields are left out. */
function body(form, claimCount) {
  const v = (name) => (form.elements.namedItem(name)?.value ?? '').trim();
  const study = {
    title: v('f-title'), summary: v('f-summary'), organisation: v('f-organisation'),
    organisation_type: v('f-organisation-type'),
    interventions: [...form.querySelectorAll('input[name=interventions]:checked')].map((c) => c.value),
    partners: lines(v('f-partners')), places: lines(v('f-places')),
    reported_results: lines(v('f-results')), source_urls: lines(v('f-sources')),
    evidence: [...Array(claimCount).keys()]
      .map((i) => ({ outcome: v(`f-claim-${i}-outcome`), evidence_type: v(`f-claim-${i}-type`), direction: v(`f-claim-${i}-direction`) }))
      .filter((claim) => claim.outcome),
  };
  if (v('f-region')) study.region = v('f-region');
  if (v('f-year')) study.year = whole(v('f-year'));
  if (v('f-year-end')) study.year_end = whole(v('f-year-end'));
  for (const [key, value] of Object.entries(study)) if (value === '') delete study[key];
  const out = {
    case_study: study,
    contact: { name: v('f-contact-name'), email: v('f-contact-email') },
    evaluation_status: form.querySelector('input[name=evaluation_status]:checked')?.value ?? 'completed',
    website: form.elements.namedItem('website').value,
  };
  if (v('f-expected')) out.expected_report_date = v('f-expected');
  return out;
}

function thanks(receipt) {
  return h('section', { class: 'receipt', 'aria-labelledby': 'receipt-heading' },
    h('h2', { id: 'receipt-heading', tabindex: -1 }, 'Thank you: your story has been sent'),
    h('p', {}, 'Your receipt: ', h('code', { class: 'receipt-id' }, receipt.receipt),
      '. Keep it to follow your story: a curator will check it, grade its evidence, and accept it, ask you for changes, or explain why not.'),
    h('p', {}, h('a', { href: api.apiUrl(receipt.status_url), class: 'status-link' }, 'Its status page')),
    h('p', {}, h('a', { href: '?view=share' }, 'Share another story')));
}
