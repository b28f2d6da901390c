// "What works": pick an outcome and filters, see case studies ranked by the strength of their
// evidence (then recency), each saying why it matched and where its sources are.

import * as api from '../api.js';
import { announce, fill, h, input, plural, select } from '../dom.js';
import { caseStudyList } from '../evidence.js';

const PAGE = 20;
export const FILTERS = ['outcome', 'theme', 'region', 'evidence_type', 'min_strength', 'direction', 'year_from', 'year_to', 'q'];
const DIRECTIONS = [['', 'Any'], ['positive', 'Positive'], ['mixed', 'Mixed'], ['negative', 'Negative'], ['no_effect', 'No effect']];

/** The filters in the URL, as the API takes them. */
export function filterFrom(params) {
  return Object.fromEntries(FILTERS.filter((f) => params.get(f)).map((f) => [f, params.get(f)]));
}

/** [value, label] options for a select of one kind's nodes, with "Any" first. */
export async function choices(kind, any) {
  const page = await api.nodesOfKind(kind);
  return [['', any], ...page.items.map((n) => [n.id, n.name])];
}

/** The common 1-5 strength scale, from the graph's own evidence levels. */
export async function strengthLevels() {
  const page = await api.nodesOfKind('EvidenceLevel');
  return page.items.filter((n) => n.id.startsWith('connects-level-'))
    .sort((a, b) => Number(a.notation) - Number(b.notation));
}

export async function render(page, params, { navigate }) {
  const filter = filterFrom(params);
  const offset = Number(params.get('offset') ?? 0);
  const [outcomes, themes, regions, types, levels, result, [byStrength]] = await Promise.all([
    choices('Outcome', 'Any outcome'), choices('PolicyTheme', 'Any theme'),
    choices('Region', 'Anywhere'), choices('EvidenceType', 'Any type'), strengthLevels(),
    api.whatWorks(filter, PAGE, offset), api.facets(filter, 'strength'),
  ]);
  const form = h('form', { class: 'filters', 'aria-labelledby': 'filters-heading' },
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
    h('button', { type: 'submit' }, 'Show case studies'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = Object.fromEntries([...new FormData(form)].filter(([k, v]) => v && !(k === 'min_strength' && v === '1')));
    navigate({ view: 'works', ...chosen }, { focus: '#results-heading' });
  });

  const outcomeName = outcomes.find(([id]) => id === filter.outcome)?.[1];
  const heading = result.total
    ? `${plural(result.total, 'case study', 'case studies')}${outcomeName ? ` with evidence for ${outcomeName}` : ''}`
    : `No case studies match${outcomeName ? ` for ${outcomeName}` : ''}`;
  fill(page, 
    h('h1', { tabindex: -1 }, outcomeName ? `What works for ${outcomeName}` : 'What works'),
    h('p', { class: 'lede' }, 'Case studies ranked by the strength of their evidence, then by how recent they are. ',
      'Weak evidence is shown as weak, not left out.'),
    form,
    scale(levels),
    h('section', { class: 'results', 'aria-labelledby': 'results-heading' },
      h('h2', { id: 'results-heading', tabindex: -1 }, heading),
      result.total ? profile(byStrength.buckets) : null,
      result.total ? h('p', {}, `Showing ${offset + 1}–${offset + result.items.length}, strongest evidence first.`) : null,
      caseStudyList(result.items, offset + 1),
      pager(params, offset, result.total),
      h('p', {}, h('a', { href: `?view=gaps&rows=outcome&cols=theme${filter.min_strength ? `&min_strength=${filter.min_strength}` : ''}` },
        'Where is evidence missing? See the evidence and gap map'))));
  announce(heading);
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
