// "Report a problem" with one statement: a claim's type, level or direction, or a field of a
// case study or other node (a wrong organisation, a wrong year). Anyone may send one, without a
// key; curators resolve it, and a correction is published with what changed, when and why.
//
// API calls behind this view: GET /nodes/{id} (the statement), POST /reports.

import * as api from '../api.js';
import { announce, fill, h } from '../dom.js';
import { control, errorSummary, honeypot, sending, showErrors } from '../forms.js';
import { kindName } from '../kinds.js';
import { labelOf } from './node.js';

const ASPECTS = [
  ['level', 'Its level (how strong the evidence is)'],
  ['direction', 'Its direction (what the study found)'],
  ['evidence_type', 'Its type of evidence'],
];
// The fields of a case study a report may name (the API's CaseStudyRecord, less its id and claims).
const CASE_STUDY_FIELDS = [
  'title', 'summary', 'organisation', 'organisation_type', 'places', 'region', 'gss_code', 'year', 'year_end',
  'themes', 'interventions', 'partners', 'resources', 'reported_results', 'cost', 'cost_basis', 'cost_year',
  'source_urls',
];
const BOOKKEEPING = new Set(['id', 'load', 'source_file', 'checksum', 'kind', 'level', 'strength', 'evidence_type']);

export async function render(page, params) {
  const statement = params.get('statement');
  if (!statement) throw new Error('no statement given: open a case study and choose “Report a problem”');
  const detail = await api.node(statement);
  const props = detail.properties;
  const name = props.name ?? props.title ?? statement;
  const isClaim = detail.kind === 'EvidenceClaim';
  const fields = detail.kind === 'CaseStudy' ? CASE_STUDY_FIELDS
    : Object.keys(props).filter((k) => !BOOKKEEPING.has(k) && !/_ids?$/.test(k)).sort();
  const summary = errorSummary('report');
  const form = h('form', { id: 'report', class: 'write', method: 'post', novalidate: true },
    isClaim
      ? control('select', { id: 'f-aspect', label: 'What is wrong with this claim?', location: 'body.aspect', options: ASPECTS, value: 'level' })
      : control('select', { id: 'f-field', label: 'Which part is wrong?', location: 'body.field',
        options: fields.map((f) => [f, labelOf(f)]), value: fields.includes('organisation') ? 'organisation' : fields[0] }),
    control('textarea', { id: 'f-message', label: 'What is wrong, in your words', location: 'body.message', attrs: { required: true } }),
    control('input', { id: 'f-suggested', label: 'What it should say (if you know)', location: 'body.suggested_value' }),
    control('input', { id: 'f-contact', label: 'Your email (optional)', hint: 'Only if you are happy for a curator to ask you about it; never published.', location: 'body.contact', attrs: { type: 'email', autocomplete: 'email' } }),
    honeypot('f'),
    h('button', { type: 'submit' }, 'Send the report'));
  const outcome = h('div', { class: 'outcome-box' });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = (id) => form.elements.namedItem(id).value.trim();
    const body = { statement, message: v('f-message'), website: form.elements.namedItem('website').value };
    if (isClaim) body.aspect = v('f-aspect'); else body.field = v('f-field');
    if (v('f-suggested')) body.suggested_value = v('f-suggested');
    if (v('f-contact')) body.contact = v('f-contact');
    try {
      const sent = await sending(form, () => api.report(body));
      form.hidden = true;
      summary.hidden = true;
      fill(outcome, h('section', { class: 'receipt', 'aria-labelledby': 'sent-heading' },
        h('h2', { id: 'sent-heading', tabindex: -1 }, 'Thank you: your report has been sent'),
        h('p', {}, 'Its id: ', h('code', { class: 'report-id' }, sent.id), '. A curator will correct the statement, or say why it stands.'),
        h('p', {}, h('a', { href: api.apiUrl(`/reports/${encodeURIComponent(sent.id)}`) }, 'How it was resolved'), ' (JSON) · ',
          h('a', { href: `?view=node&id=${encodeURIComponent(statement)}` }, `Back to ${name}`))));
      outcome.querySelector('h2').focus();
      announce('Report sent');
    } catch (error) {
      showErrors(form, summary, error, 'Your report was not sent: please check these');
    }
  });
  fill(page,
    h('p', { class: 'kind' }, `Report a problem with a ${kindName(detail.kind).toLowerCase()}`),
    h('h1', { tabindex: -1 }, name),
    isClaim ? h('p', { class: 'lede' }, 'As published: ', h('strong', {},
      `strength ${props.strength ?? 'not graded'} of 5, ${(props.evidence_type ?? '').replaceAll('-', ' ')}, ${(props.direction ?? 'not_stated').replaceAll('_', ' ')}`), '.') : null,
    h('p', {}, 'Tell the curators what is wrong. You need no account; the report is linked to this statement, and its resolution is public.'),
    summary, form, outcome);
}
