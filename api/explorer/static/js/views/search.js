// Search: full-text over names and descriptions, results grouped by kind. With no query it is
// the explorer's front page, pointing at the two questions most people come with.
//
// API calls behind this view: GET /search (the hits), GET /evidence?q= (each case study's
// strength), GET /interventions (each approach's rating and best strength).

import * as api from '../api.js';
import { add, announce, groupBy, h, plural } from '../dom.js';
import { nodeLink, strengthBadge } from '../evidence.js';
import { kindName } from '../kinds.js';
import { ratingBadge } from '../card.js';

const MOST = 200;
// Claims repeat their case study's words ("Title: Outcome"), so they would crowd every search:
// they are counted, and listed last, folded away.
const FOLDED = 'EvidenceClaim';
// What people come for first; other kinds follow in the order of their best match.
const FIRST = ['Intervention', 'CaseStudy', 'Outcome'];

export async function render(page, params, { navigate }) {
  const q = (params.get('q') ?? '').trim();
  const box = h('input', {
    id: 'q', name: 'q', type: 'search', value: q, autocomplete: 'off', required: true,
    placeholder: 'e.g. digital inclusion, cyber security, Leeds',
  });
  const form = h('form', { role: 'search', class: 'search' },
    h('label', { for: 'q' }, 'Search the graph'), box, h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = box.value.trim();
    if (text) navigate({ view: 'search', q: text }, { focus: '#results-heading' });
  });
  add(page,
    h('h1', { tabindex: -1 }, 'Explore the Socitm Connects knowledge graph'),
    h('p', { class: 'lede' },
      'The Socitm Connects strategy, the organisations and research institutes behind it, and ',
      'case studies of what councils have done, linked to the outcomes they advance.'),
    h('ul', { class: 'starts' },
      h('li', {}, h('a', { href: '?view=works&outcome=inclusion' }, 'What works for an outcome'),
        ' – approaches rated by their evidence, and the case studies behind them'),
      h('li', {}, h('a', { href: '?view=gaps' }, 'Where evidence is missing'),
        ' – approaches against outcomes, coloured by the strongest evidence, empty cells shown')),
    form);
  if (q) add(page, await results(q));
}

/** The case studies' strengths: /evidence filtered by the query's longest word holds every case
 * study the search can find (each contains all the words), strongest claim first. */
async function strengths(q) {
  const word = q.split(/\s+/).sort((a, b) => b.length - a.length)[0];
  const found = await api.evidence({ q: word }, MOST, 0);
  return new Map(found.items.map((s) => [s.id, s.claims.find((c) => c.strength === s.strength) ?? { strength: s.strength }]));
}

async function ratings() {
  const listed = await api.interventions();
  return new Map(listed.items.map((i) => [i.intervention?.id ?? i.id, i.card]));
}

function order(hits) {
  const rank = (kind) => (kind === FOLDED ? 2 : FIRST.includes(kind) ? 0 : 1);
  const groups = groupBy(hits, (hit) => hit.node.kind);
  const first = FIRST.filter((k) => groups.has(k));
  const rest = [...groups.keys()].filter((k) => !FIRST.includes(k));
  return [...first, ...rest].sort((a, b) => rank(a) - rank(b)).map((k) => [k, groups.get(k)]);
}

async function results(q) {
  const [hits, strong, rated] = await Promise.all([api.search(q, MOST), strengths(q), ratings()]);
  const byKind = order(hits);
  const shown = byKind.filter(([kind]) => kind !== FOLDED);
  const folded = byKind.find(([kind]) => kind === FOLDED)?.[1] ?? [];
  const count = hits.length === MOST ? `The best ${MOST} results` : plural(hits.length, 'result');
  announce(hits.length ? `${count} in ${plural(byKind.length, 'kind')}` : 'Nothing found');
  return h('div', { class: 'results' },
    h('h2', { id: 'results-heading', tabindex: -1 }, hits.length ? `${count} for “${q}”` : `Nothing found for “${q}”`),
    hits.length ? h('p', { class: 'note' }, 'Grouped by kind, best matches first: ',
      byKind.map(([kind, group], i) => [i ? ', ' : '', h('a', { href: `#kind-${kind}` }, `${kindName(kind)} (${group.length})`)])) : null,
    shown.map(([kind, group]) => h('section', { class: 'kind-group', 'data-kind': kind, id: `kind-${kind}` },
      h('h3', {}, `${kindName(kind)} (${group.length})`),
      h('ul', {}, group.map(({ node }) => hit(node, strong, rated))))),
    folded.length ? h('section', { class: 'kind-group folded', 'data-kind': FOLDED, id: `kind-${FOLDED}` },
      h('h3', {}, `${kindName(FOLDED)} (${folded.length})`),
      h('details', {}, h('summary', {}, `Show the ${plural(folded.length, 'evidence claim')}: each repeats its case study's words`),
        h('ul', {}, folded.map(({ node }) => hit(node, strong, rated))))) : null);
}

function hit(node, strong, rated) {
  const claim = strong.get(node.id);
  const card = rated.get(node.id);
  return h('li', { 'data-id': node.id },
    nodeLink(node.id, node.name, node.kind === 'Intervention' ? 'intervention' : 'node'),
    node.kind === 'CaseStudy'
      ? h('div', {}, claim ? strengthBadge(claim.strength, claim.strength_name, { prefix: 'Best evidence: strength' })
        : h('span', { class: 'note' }, 'Strength: open the case study to see it'))
      : null,
    card ? h('div', { class: `card-line card-rating-${card.rating.id}` }, ratingBadge(card.rating), ' ',
      strengthBadge(card.best_strength?.strength, card.best_strength?.name, { prefix: 'Best evidence: strength' })) : null,
    node.description ? h('p', {}, node.description) : null);
}
