// Search: full-text over names and descriptions, results grouped by kind. With no query it is
// the explorer's front page, pointing at the two questions most people come with.

import * as api from '../api.js';
import { add, announce, groupBy, h, plural } from '../dom.js';
import { kindName } from '../kinds.js';

const MOST = 50;

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
        ' – ranked case studies and how strong their evidence is'),
      h('li', {}, h('a', { href: '?view=gaps&rows=outcome&cols=theme' }, 'Where evidence is missing'),
        ' – outcomes against policy themes, empty cells shown')),
    form);
  if (q) add(page, await results(q));
}

async function results(q) {
  const hits = await api.search(q, MOST);
  // Claims repeat their case study's words, so they would crowd the top: they go last.
  const byKind = groupBy([...hits].sort((a, b) => (a.node.kind === 'EvidenceClaim') - (b.node.kind === 'EvidenceClaim')), (hit) => hit.node.kind);
  const count = hits.length === MOST ? `The best ${MOST} results` : plural(hits.length, 'result');
  announce(hits.length ? `${count} in ${plural(byKind.size, 'kind')}` : 'Nothing found');
  return h('div', { class: 'results' },
    h('h2', { id: 'results-heading', tabindex: -1 }, hits.length ? `${count} for “${q}”` : `Nothing found for “${q}”`),
    hits.length ? h('p', { class: 'note' }, 'Grouped by kind, best matches first: ',
      [...byKind].map(([kind, group], i) => [i ? ', ' : '', h('a', { href: `#kind-${kind}` }, `${kindName(kind)} (${group.length})`)])) : null,
    [...byKind].map(([kind, group]) => h('section', { class: 'kind-group', 'data-kind': kind, id: `kind-${kind}` },
      h('h3', {}, `${kindName(kind)} (${group.length})`),
      h('ul', {}, group.map(({ node }) => h('li', { 'data-id': node.id },
        h('a', { href: `?view=node&id=${encodeURIComponent(node.id)}` }, node.name),
        node.description ? h('p', {}, node.description) : null))))));
}
