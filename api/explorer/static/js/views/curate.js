// Curators' work: sign in with a `curate` key, then the queue of submissions (grade and accept,
// ask for changes, or decline) and the open reports of errors (correct, or keep with a reason).
//
// The key is kept for this tab only (sessionStorage, gone when the tab closes) and sent only in
// the Authorization header: never in a URL, a query string or a form the browser submits.
//
// API calls behind this view: GET /curation/queue, GET /curation/reports,
// POST /submissions/{receipt}/decisions, POST /reports/{id}/resolution, GET /nodes?kind=.

import * as api from '../api.js';
import { announce, fill, h, plural } from '../dom.js';
import { DIRECTION_LABELS, directionWords, nodeLink } from '../evidence.js';
import { control, errorSummary, lines, radios, sending, showErrors, whole } from '../forms.js';
import { evidenceTypes } from './share.js';
import { strengthLevels } from './works.js';

const STORE = 'connects-curator-key';
const LIST_FIELDS = new Set(['places', 'themes', 'interventions', 'partners', 'reported_results', 'source_urls', 'resources']);
const NUMBER_FIELDS = new Set(['year', 'year_end', 'cost_year']);

function storedKey() {
  try { return sessionStorage.getItem(STORE); } catch { return null; }
}
function keep(key) {
  try { if (key) sessionStorage.setItem(STORE, key); else sessionStorage.removeItem(STORE); } catch { /* private mode */ }
}

export async function render(page, params, { navigate }) {
  const key = storedKey();
  if (!key) {
    signIn(page, navigate);
    return;
  }
  let waiting;
  let reports;
  try {
    [waiting, reports] = await Promise.all([api.queue(key), api.openReports(key)]);
  } catch (error) {
    if (error.status !== 401 && error.status !== 403) throw error;
    keep(null); // revoked, or not a curator's: sign in again
    signIn(page, navigate, error);
    return;
  }
  const signOut = h('button', { type: 'button', class: 'secondary' }, 'Sign out');
  signOut.addEventListener('click', () => { keep(null); navigate({ view: 'curate' }); });
  const receipt = params.get('receipt');
  if (receipt) {
    const item = waiting.items.find((s) => s.receipt === receipt);
    const [types, levels] = await Promise.all([evidenceTypes(), strengthLevels()]);
    fill(page, h('p', {}, h('a', { href: '?view=curate' }, 'Back to the queue'), ' ', signOut),
      item ? submission(item, key, types, levels)
        : [h('h1', { tabindex: -1 }, 'Not waiting for a decision'),
          h('p', {}, `Submission ${receipt} is not in the queue: it has been decided, or the receipt is wrong.`)]);
    return;
  }
  fill(page,
    h('h1', { tabindex: -1 }, 'Curators’ work'),
    h('p', { class: 'lede' }, 'Submissions wait here until a curator grades and accepts them; nothing is public before. ',
      'Reports of errors wait until a curator corrects the statement or keeps it, saying why.'),
    h('p', {}, 'Signed in for this tab only. ', signOut),
    queueList(waiting),
    reportList(reports, key));
}

function signIn(page, navigate, refused = null) {
  const summary = errorSummary('sign-in');
  // POST, never GET: were the script to fail, the browser would not put the key in a URL.
  const form = h('form', { id: 'sign-in', class: 'write narrow', method: 'post', novalidate: true },
    control('input', {
      id: 'f-key', label: 'Your curator key', location: 'key',
      hint: 'Paste the key staff gave you. It is kept in this tab only and sent only in a request header.',
      attrs: { type: 'password', autocomplete: 'off', spellcheck: 'false', required: true },
    }),
    h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = form.elements.namedItem('f-key').value.trim();
    try {
      await sending(form, () => api.queue(key, 1));
    } catch (error) {
      form.elements.namedItem('f-key').value = '';
      showErrors(form, summary, refusal(error), 'You are not signed in');
      return;
    }
    keep(key);
    announce('Signed in');
    navigate({ view: 'curate' });
  });
  fill(page, h('h1', { tabindex: -1 }, 'Curators: sign in'),
    h('p', { class: 'lede' }, 'Curators review members’ submissions and reports of errors. Sign in with a key that has the curate scope.'),
    summary, form);
  if (refused) showErrors(form, summary, refusal(refused), 'Please sign in again');
}

/** A refused key, located at the key's field (the API's 401 and 403 name no field). */
function refusal(error) {
  if (!error?.problem || error.problem.errors) return error;
  return { problem: { ...error.problem, errors: [{ location: 'key', message: error.message }] } };
}

function queueList(waiting) {
  return h('section', { 'aria-labelledby': 'queue-heading' },
    h('h2', { id: 'queue-heading', tabindex: -1 }, waiting.total
      ? `${plural(waiting.total, 'submission')} waiting for a decision` : 'No submissions waiting'),
    h('ol', { class: 'queue' }, waiting.items.map((s) => h('li', { 'data-receipt': s.receipt },
      h('a', { href: `?view=curate&receipt=${encodeURIComponent(s.receipt)}` }, s.case_study.title),
      ` – ${s.case_study.organisation}, sent ${s.submitted_at.slice(0, 10)}`,
      s.status === 'changes_requested' ? ' (changes asked for)' : '',
      s.evaluation_status !== 'completed' ? ` (evaluation ${s.evaluation_status})` : ''))),
    waiting.truncated ? h('p', { class: 'note' }, `Showing the oldest ${waiting.items.length}.`) : null);
}

function facts(item) {
  const cs = item.case_study;
  const row = (label, value) => (value === undefined || value === null || (Array.isArray(value) && !value.length) ? null
    : [h('dt', {}, label), h('dd', {}, Array.isArray(value) ? value.map((v, i) => [i ? h('br') : null, v]) : String(value))]);
  return h('dl', { class: 'facts' },
    row('Receipt', item.receipt), row('Sent', item.submitted_at), row('Organisation', `${cs.organisation} (${cs.organisation_type ?? 'other'})`),
    row('What they did', cs.summary), row('Approaches', cs.interventions), row('With', cs.partners),
    row('Where', [...(cs.places ?? []), ...(cs.region ? [cs.region] : [])]),
    row('When', cs.year ? `${cs.year}${cs.year_end ? `–${cs.year_end}` : ''}` : null),
    row('Results they report', cs.reported_results), row('Sources', cs.source_urls),
    row('Evaluation', `${item.evaluation_status}${item.expected_report_date ? `, report expected ${item.expected_report_date}` : ''}`),
    row('Contact (private)', `${item.contact.name} <${item.contact.email}>`),
    row('Messages so far', item.messages.map((m) => `${m.at.slice(0, 10)}: ${m.text}`)));
}

function submission(item, key, types, levels) {
  const claims = item.evaluation_status === 'completed' ? item.case_study.evidence ?? [] : [];
  const levelOptions = [['', 'The type’s default level'], ...levels.map((l) => [l.id, `${l.notation} – ${l.name}`])];
  // A submission queued before evidence types had one spelling says `independent_evaluation`.
  const spelt = (t) => t?.replaceAll('_', '-');
  const typeName = (t) => types.find(([id]) => id === spelt(t))?.[1] ?? t;
  const levelName = (l) => levelOptions.find(([id]) => id === l)?.[1] ?? l;
  const result = h('div', { class: 'outcome-box' });
  const forms = [];
  function decisionForm(id, heading, fields, button, decision) {
    const summary = errorSummary(id);
    const form = h('form', { id, class: 'write', method: 'post', novalidate: true, 'aria-labelledby': `${id}-heading` },
      h('h2', { id: `${id}-heading` }, heading), summary, fields, h('button', { type: 'submit' }, button));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const done = await sending(form, () => api.decide(key, item.receipt, decision(form)));
        for (const f of forms) f.hidden = true;
        fill(result, decided(done));
        result.querySelector('h2').focus();
        announce(`Decision recorded: ${done.status.replaceAll('_', ' ')}`);
      } catch (error) {
        showErrors(form, summary, error, 'The decision was not recorded');
      }
    });
    forms.push(form);
    return form;
  }
  const value = (form, name) => form.elements.namedItem(name).value.trim();
  const note = (form) => value(form, `${form.id}-note`) || undefined;
  const noteField = (id) => control('textarea', { id: `${id}-note`, label: 'A note for curators (never shown)', location: 'body.note', attrs: { rows: 2 } });

  const accept = decisionForm('accept', 'Accept, with your grade of each claim', [
    claims.length ? claims.map((c, i) => h('fieldset', { class: 'claim-row grade', 'data-location': `body.grades.${i}` },
      h('legend', {}, `Claim ${i + 1}: ${c.outcome}`),
      h('p', { class: 'submitter-claim' }, 'The submitter’s own claim: ',
        h('strong', {}, `${typeName(c.evidence_type)}, ${c.level ? levelName(c.level) : 'the type’s default level'}, ${directionWords(c.direction ?? 'not_stated')}`)),
      control('select', { id: `f-grade-${i}-type`, label: 'Type of evidence (your grade)', location: `body.grades.${i}.evidence_type`, options: types, value: spelt(c.evidence_type) }),
      control('select', { id: `f-grade-${i}-level`, label: 'Level (your grade)', location: `body.grades.${i}.level`, options: levelOptions, value: c.level ?? '' }),
      control('select', { id: `f-grade-${i}-direction`, label: 'Direction (your grade)', location: `body.grades.${i}.direction`, options: Object.entries(DIRECTION_LABELS), value: c.direction ?? 'not_stated' })))
      : h('p', { class: 'note' }, item.evaluation_status === 'completed' ? 'It states no outcome evidence.'
        : 'A planned or ongoing evaluation has no findings yet: it is accepted without grades.'),
    control('textarea', { id: 'accept-reason', label: 'Why (public, shown with the case study)', location: 'body.reason' }),
    noteField('accept'),
  ], 'Accept and publish', (form) => ({
    decision: 'accept', reason: value(form, 'accept-reason'), note: note(form),
    grades: claims.map((_, i) => {
      const grade = { evidence_type: value(form, `f-grade-${i}-type`), direction: value(form, `f-grade-${i}-direction`) };
      const level = value(form, `f-grade-${i}-level`);
      return level ? { ...grade, level } : grade;
    }),
  }));
  const changes = decisionForm('changes', 'Ask for changes', [
    control('textarea', { id: 'changes-message', label: 'What to change (the submitter sees this)', location: 'body.message' }),
    noteField('changes'),
  ], 'Ask for changes', (form) => ({ decision: 'request_changes', message: value(form, 'changes-message'), note: note(form) }));
  const decline = decisionForm('decline', 'Decline', [
    control('textarea', { id: 'decline-reason', label: 'Why (the submitter sees this)', location: 'body.reason' }),
    noteField('decline'),
  ], 'Decline', (form) => ({ decision: 'decline', reason: value(form, 'decline-reason'), note: note(form) }));

  return [
    h('p', { class: 'kind' }, 'Submission'),
    h('h1', { tabindex: -1 }, item.case_study.title),
    facts(item), result, accept, changes, decline,
  ];
}

function decided(done) {
  const words = { accepted: 'Accepted and published', changes_requested: 'Changes asked for', declined: 'Declined' };
  return h('section', { class: 'receipt', 'aria-labelledby': 'decided-heading' },
    h('h2', { id: 'decided-heading', tabindex: -1 }, words[done.status] ?? done.status),
    done.case_study ? h('p', {}, 'Published as ', nodeLink(done.case_study, done.case_study), ' (',
      h('a', { href: api.apiUrl(`/doc/case-study/${encodeURIComponent(done.case_study)}`) }, 'its page'),
      `), by load ${done.load_id}.`) : h('p', {}, 'The submitter sees your message on their status page.'),
    h('p', {}, h('a', { href: '?view=curate' }, 'Back to the queue')));
}

function resolved(done) {
  const r = done.resolution ?? {};
  return h('section', { class: 'receipt', 'data-status': done.status },
    h('h3', { tabindex: -1 }, done.status === 'corrected' ? 'Corrected' : 'Kept', ': ', nodeLink(done.statement, done.statement)),
    r.change ? h('p', { class: 'change' }, r.change) : null,
    h('p', {}, `Why: ${r.reason ?? ''}`),
    r.load_id ? h('p', {}, `Published by load ${r.load_id}.`) : null);
}

function reportList(reports, key) {
  return h('section', { 'aria-labelledby': 'reports-heading' },
    h('h2', { id: 'reports-heading' }, reports.total ? `${plural(reports.total, 'report')} of errors to resolve` : 'No open reports of errors'),
    h('ol', { class: 'reports' }, reports.items.map(({ report, contact }) => h('li', { 'data-report': report.id },
      reportForm(report, contact, key)))));
}

function reportForm(report, contact, key) {
  const id = `resolve-${report.id}`;
  const about = report.aspect ? `its ${report.aspect.replaceAll('_', ' ')}` : `its ${(report.field ?? '').replaceAll('_', ' ')}`;
  const summary = errorSummary(id);
  const form = h('form', { id, class: 'write', method: 'post', novalidate: true, 'aria-labelledby': `${id}-heading` },
    h('h3', { id: `${id}-heading` }, 'On ', nodeLink(report.statement, report.statement), `: ${about}`),
    h('p', {}, h('q', {}, report.message), ` (reported ${report.reported_at.slice(0, 10)}`,
      report.suggested_value ? `; suggested: ${report.suggested_value}` : '', contact ? `; contact: ${contact}` : '', ')'),
    summary,
    radios({ id: `${id}-how`, name: 'resolution', legend: 'Resolve it as', location: 'body.resolution', value: 'corrected',
      options: [['corrected', 'Corrected: publish the new value'], ['kept', 'Kept: the statement stands']] }),
    control('input', { id: `${id}-value`, label: 'The new value (for a correction)', location: 'body.value',
      value: report.suggested_value ?? '', hint: LIST_FIELDS.has(report.field) ? 'Several: one a line, or separated by ;' : null }),
    control('textarea', { id: `${id}-reason`, label: 'Why (public)', location: 'body.reason', attrs: { rows: 2 } }),
    h('button', { type: 'submit' }, 'Resolve'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const resolution = form.querySelector('input[name=resolution]:checked')?.value;
    const raw = form.elements.namedItem(`${id}-value`).value.trim();
    const body = { resolution, reason: form.elements.namedItem(`${id}-reason`).value.trim() };
    if (resolution === 'corrected' && raw) {
      body.value = LIST_FIELDS.has(report.field) ? lines(raw) : NUMBER_FIELDS.has(report.field) ? whole(raw) : raw;
    }
    try {
      const done = await sending(form, () => api.resolve(key, report.id, body));
      const box = resolved(done);
      form.replaceWith(box);
      box.querySelector('h3').focus();
      announce(`Report resolved: ${done.status}`);
    } catch (error) {
      showErrors(form, summary, error, 'The report was not resolved');
    }
  });
  return form;
}
