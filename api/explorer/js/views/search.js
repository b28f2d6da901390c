// Search: full-text over names and descriptions, results grouped by kind. With no query it is
// the explorer's front page, pointing at the two questions most people come with.

import * as api from '../api.js';
import { announce, fill, h, plural } from '../dom.js';
import { kindName } from '../kinds.js';

export async function render(page, params, { remember, current }) {
  const q = params.get('q') ?? '';
  const results = h('div', { class: 'results', 'aria-live': 'off' });
  const box = h('input', {
    id: 'q', name: 'q', type: 'search', value: q, autocomplete: 'off',
    placeholder: 'e.g. digital inclusion, cyber security, Leeds',
  });
  const form = h('form', { role: 'search', class: 'search' },
    h('label', { for: 'q' }, 'Search the graph'), box, h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = box.value.trim();
    if (!text) return;
    remember({ view: 'search', q: text });
    await show(text, results, current);
  });
  fill(page, 
    h('h1', { tabindex: -1 }, 'Explore the Socitm Connects knowledge graph'),
    h('p', { class: 'lede' },
      'The Socitm Connects strategy, the organisations and research institutes behind it, and ',
      'case studies of what councils have done, linked to the outcomes they advance.'),
    h('ul', { class: 'starts' },
      h('li', {}, h('a', { href: '?view=works&outcome=inclusion' }, 'What works for an outcome'),
        ' – ranked case studies and how strong their evidence is'),
      h('li', {}, h('a', { href: '?view=gaps&rows=outcome&cols=theme' }, 'Where evidence is missing'),
        ' – outcomes against policy themes, empty cells shown')),
    form, results);
  if (q) await show(q, results, current);
}

async function show(q, results, current) {
  const hits = await api.search(q);
  if (!current()) return;
  const byKind = Map.groupBy(hits, (hit) => hit.node.kind);
  fill(results, 
    h('h2', { id: 'results-heading' }, hits.length ? `${plural(hits.length, 'result')} for “${q}”` : `Nothing found for “${q}”`),
    [...byKind].map(([kind, group]) => h('section', { class: 'kind-group', 'data-kind': kind },
      h('h3', {}, `${kindName(kind)} (${group.length})`),
      h('ul', {}, group.map(({ node }) => h('li', { 'data-id': node.id },
        h('a', { href: `?view=node&id=${encodeURIComponent(node.id)}` }, node.name),
        node.description ? h('p', {}, node.description) : null))))));
  announce(hits.length ? `${plural(hits.length, 'result')} in ${plural(byKind.size, 'kind')}` : 'Nothing found');
}
