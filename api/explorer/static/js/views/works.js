// "What works": pick an outcome and filters, see the approaches rated by their evidence (each
// card saying which clause of the rule gave its rating, and what did not work), then the case
// studies ranked by the strength of their evidence (then recency).
//
// API calls behind this view: GET /what-works (the approach cards), GET /evidence (the case
// studies), GET /evidence/facets (how many at each strength), GET /nodes?kind= (the form's lists).

import * as api from '../api.js';
import { add, announce, h, input, plural, problemBox, select } from '../dom.js';
import { evidenceCard, studyEntry } from '../card.js';
import { DIRECTION_LABELS, caseStudyList, nodeLink } from '../evidence.js';

const PAGE = 20;
export const FILTERS = [
  'outcome', 'theme', 'region', 'evidence_type', 'min_strength', 'direction', 'year_from', 'year_to',
  'q', 'organisation', 'place',
];
const CHOSEN_BY_NAME = { outcome: 'Outcome', theme: 'PolicyTheme', region: 'Region', evidence_type: 'EvidenceType' };
const DIRECTIONS = [['', 'Any'], ...Object.entries(DIRECTION_LABELS)];
const APPROACHES = 50;

/** The filters in the URL, as the API takes them. */
export function filterFrom(params) {
  return Object.fromEntries(FILTERS.filter((f) => params.get(f)).map((f) => [f, params.get(f)]));
}

// The framework's lists (outcomes, themes, regions, ...) change only with a load: ask once per
// visit, not on every change of filter.
const kinds = new Map();
function ofKind(kind) {
  if (!kinds.has(kind)) kinds.set(kind, api.nodesOfKind(kind).catch((error) => { kinds.delete(kind); throw error; }));
  return kinds.get(kind);
}

/** [value, label] options for a select of one kind's nodes, with "Any" first. */
export async function choices(kind, any) {
  const page = await ofKind(kind);
  return [['', any], ...page.items.map((n) => [n.id, n.name])];
}

/** The common 1-5 strength scale: the graph's evidence levels that carry a 1-5 notation. */
export async function strengthLevels() {
  const page = await ofKind('EvidenceLevel');
  return page.items.filter((n) => n.id.startsWith('connects-level-'))
    .sort((a, b) => Number(a.notation) - Number(b.notation));
}

/** The API takes names or ids; the form shows ids. Names in a shared URL become ids here. */
export function byId(filter, options) {
  const out = { ...filter };
  for (const [name, list] of Object.entries(options)) {
    const value = filter[name];
    if (!value) continue;
    const match = list.find(([id, label]) => id === value || label.toLowerCase() === value.toLowerCase());
    if (match) out[name] = match[0];
  }
  return out;
}

/** Filters set by a link (an organisation, a place) that the form has no control for. */
export function otherFilters(filter, shown, here) {
  const others = Object.entries(filter).filter(([name]) => !shown.includes(name));
  if (!others.length) return null;
  const without = Object.fromEntries(Object.entries(filter).filter(([name]) => shown.includes(name)));
  return h('p', { class: 'note' }, 'Also filtered by ',
    others.map(([name, value], i) => [i ? ', ' : '', h('strong', {}, `${name.replaceAll('_', ' ')}: ${value}`)]),
    '. ', h('a', { href: `?${new URLSearchParams({ ...here, ...without })}` }, 'Remove'));
}

export async function render(page, params, { navigate, remember }) {
  const offset = Math.max(0, Number(params.get('offset') ?? 0) || 0);
  const [outcomes, themes, regions, types, levels] = await Promise.all([
    choices('Outcome', 'Any outcome'), choices('PolicyTheme', 'Any theme'),
    choices('Region', 'Anywhere'), choices('EvidenceType', 'Any type'), strengthLevels(),
  ]);
  const filter = byId(filterFrom(params), { outcome: outcomes, theme: themes, region: regions, evidence_type: types });
  remember({ view: 'works', ...filter, offset: offset || '' });

  const form = h('form', { class: 'filters', 'aria-labelledby': 'filters-heading', novalidate: true },
    h('h2', { id: 'filters-heading', class: 'visually-hidden' }, 'Filters'),
    select('outcome', 'Outcome', outcomes, filter.outcome ?? ''),
    select('theme', 'Policy theme', themes, filter.theme ?? ''),
    select('region', 'Region', regions, filter.region ?? ''),
    select('evidence_type', 'Type of evidence', types, filter.evidence_type ?? ''),
    select('min_strength', 'Strength at least', levels.map((l) => [l.notation, `${l.notation} – ${l.name}`]), filter.min_strength ?? '1'),
    select('direction', 'Effect', DIRECTIONS, filter.direction ?? ''),
    input('year_from', 'From year', filter.year_from, { type: 'number', min: 1900, max: 2100, inputmode: 'numeric' }),
    input('year_to', 'To year', filter.year_to, { type: 'number', min: 1900, max: 2100, inputmode: 'numeric' }),
    input('q', 'Words in the title or summary', filter.q, { type: 'search' }),
    h('button', { type: 'submit' }, 'Show what works'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const from = form.elements.year_from;
    const to = form.elements.year_to;
    to.setCustomValidity(from.value && to.value && Number(to.value) < Number(from.value)
      ? 'The “to” year is before the “from” year.' : '');
    if (!form.reportValidity()) return;
    const chosen = Object.fromEntries([...new FormData(form)].filter(([k, v]) => !(k === 'min_strength' && v === '1')));
    const kept = Object.fromEntries(Object.entries(filter).filter(([name]) => !form.elements[name]));
    navigate({ view: 'works', ...kept, ...chosen }, { focus: '#approaches-heading' });
  });

  const outcomeName = outcomes.find(([id]) => id && id === filter.outcome)?.[1];
  add(page, 
    h('h1', { tabindex: -1 }, outcomeName ? `What works for ${outcomeName}` : 'What works'),
    h('p', { class: 'lede' }, 'Approaches rated by the evidence of the case studies that applied them, each rating ',
      'with the clause of the rule that gave it; then the case studies, strongest evidence first. ',
      'Weak evidence is shown as weak, not left out.'),
    form,
    otherFilters(filter, [...form.elements].map((e) => e.name), { view: 'works' }),
    scale(levels));
  try {
    const [ranked, result, [byStrength]] = await Promise.all([
      api.whatWorks(filter, APPROACHES, 0), api.evidence(filter, PAGE, offset), api.facets(filter, 'strength')]);
    add(page, approaches(ranked, outcomeName), results(result, byStrength, offset, params, outcomeName));
  } catch (error) {
    if (!error.problem) throw error;
    // A filter the API refuses: say why next to the form, and keep the form.
    add(page, problemBox(error, 'These filters cannot be used'));
  }
}

/** The approaches, as /what-works ranks them: rating, then best strength, then studies. */
function approaches(ranked, outcomeName) {
  const heading = ranked.total
    ? `${plural(ranked.total, 'approach', 'approaches')} rated${outcomeName ? ` for ${outcomeName}` : ''}`
    : `No approach has case studies${outcomeName ? ` for ${outcomeName}` : ''} that match`;
  return h('section', { class: 'approaches', 'aria-labelledby': 'approaches-heading' },
    h('h2', { id: 'approaches-heading', tabindex: -1 }, heading),
    ranked.total ? h('p', { class: 'note' }, ranked.rule, ' ', h('a', { href: api.apiUrl('/ratings') }, 'The rule as data'), '.') : null,
    ranked.total > ranked.items.length
      ? h('p', {}, `Showing the first ${ranked.items.length}, strongest evidence first.`) : null,
    h('ol', { class: 'cards' }, ranked.items.map(({ intervention, card, case_studies: studies }) => h('li', {},
      evidenceCard(card, {
        id: intervention.id,
        title: nodeLink(intervention.id, intervention.name, 'intervention'),
        extra: [
          intervention.family ? h('p', { class: 'family' }, 'Family: ', intervention.family.name) : null,
          studies.length ? h('details', { class: 'behind' },
            h('summary', {}, `The ${plural(studies.length, 'case study', 'case studies')} behind this rating`),
            h('ul', {}, studies.map(studyEntry))) : null,
        ],
      })))));
}

function results(result, byStrength, offset, params, outcomeName) {
  const heading = result.total
    ? `${plural(result.total, 'case study', 'case studies')}${outcomeName ? ` with evidence for ${outcomeName}` : ''}`
    : `No case studies match${outcomeName ? ` for ${outcomeName}` : ''}`;
  announce(heading);
  const first = `?${new URLSearchParams({ ...Object.fromEntries(params), offset: 0 })}`;
  return h('section', { class: 'results', 'aria-labelledby': 'results-heading' },
    h('h2', { id: 'results-heading', tabindex: -1 }, heading),
    result.total ? profile(byStrength.buckets) : null,
    result.items.length
      ? h('p', {}, `Showing ${offset + 1}–${offset + result.items.length}, strongest evidence first.`)
      : offset > 0 ? h('p', {}, 'No more results. ', h('a', { href: first }, 'Back to the first page')) : null,
    caseStudyList(result.items, offset + 1),
    pager(params, offset, result.total),
    h('p', {}, 'Where is evidence missing? The evidence and gap map, counting ',
      h('a', { href: `?${new URLSearchParams({ view: 'gaps', rows: 'outcome', cols: 'theme', min_strength: 2 })}` },
        'evidence documented or stronger (2 of 5 and up)'),
      ' or ', h('a', { href: '?view=gaps&rows=outcome&cols=theme' }, 'evidence of any strength'), '.'));
}

/** How many of the matches stand at each strength: the honest headline for a question. */
function profile(buckets) {
  return h('div', { class: 'profile' }, h('h3', {}, 'How strong is this evidence?'),
    h('ul', {}, buckets.map((b) => h('li', { class: b.count ? null : 'none', 'data-strength': b.key },
      h('span', { class: 'count' }, String(b.count)), ` at ${b.key} – ${b.name}`))));
}

function scale(levels) {
  return h('details', { class: 'scale' }, h('summary', {}, 'How strength is graded (1 to 5)'),
    h('dl', {}, levels.map((l) => [h('dt', {}, `${l.notation} – ${l.name}`), h('dd', {}, l.description)])));
}

function pager(params, offset, total) {
  if (total <= PAGE) return null;
  const at = (o) => { const p = new URLSearchParams(params); p.set('offset', o); return `?${p}`; };
  return h('nav', { class: 'pager', 'aria-label': 'Pages of results' },
    offset > 0 ? h('a', { href: at(Math.max(0, offset - PAGE)) }, 'Previous') : null,
    offset + PAGE < total ? h('a', { href: at(offset + PAGE) }, 'Next') : null);
}
