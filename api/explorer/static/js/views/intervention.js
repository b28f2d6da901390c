// One approach (an Intervention): its evidence card over all its case studies, a card for each
// outcome they have evidence for, and the case studies themselves, strongest evidence first.
//
// API calls behind this view: GET /interventions/{id}.

import * as api from '../api.js';
import { add, announce, h, plural } from '../dom.js';
import { evidenceCard, studyEntry } from '../card.js';
import { nodeLink } from '../evidence.js';
import { filterFrom } from './works.js';

export async function render(page, params, { remember }) {
  const id = params.get('id');
  if (!id) throw new Error('no approach given: open one from What works');
  const filter = filterFrom(params);
  const detail = await api.intervention(id, filter);
  const { intervention, card } = detail;
  remember({ view: 'intervention', id, ...filter });
  const more = detail.case_studies_total - detail.case_studies.length;
  announce(`${intervention.name}: rated ${card.rating.name}`);
  add(page,
    h('p', { class: 'kind' }, 'Approach', intervention.family ? [' · ', intervention.family.name] : null),
    h('h1', { tabindex: -1 }, intervention.name),
    detail.description ? h('p', { class: 'lede' }, detail.description) : null,
    h('p', {}, nodeLink(intervention.id, 'See it in the graph, with its links'),
      intervention.family ? [' · ', nodeLink(intervention.family.id, `Its family: ${intervention.family.name}`)] : null),
    h('section', { class: 'overall', 'aria-labelledby': 'card-heading' },
      evidenceCard(card, { id: intervention.id, level: 2, title: h('span', { id: 'card-heading' }, 'The evidence, all outcomes together') })),
    h('section', { class: 'by-outcome', 'aria-labelledby': 'outcomes-heading' },
      h('h2', { id: 'outcomes-heading' }, `By outcome (${detail.outcomes.length})`),
      detail.outcomes.length
        ? h('ol', { class: 'cards' }, detail.outcomes.map(({ outcome, card: each }) => h('li', {},
          evidenceCard(each, {
            id: outcome.id,
            title: [outcome.name, ' ', h('a', { class: 'small', href: `?view=works&outcome=${encodeURIComponent(outcome.id)}` },
              `(what works for ${outcome.name})`)],
          }))))
        : h('p', {}, 'No case study states evidence for an outcome.')),
    h('section', { class: 'behind', 'aria-labelledby': 'studies-heading' },
      h('h2', { id: 'studies-heading' }, `Case studies (${detail.case_studies_total})`),
      h('p', { class: 'note' }, 'Each counted once, by its best claim: strongest evidence first.'),
      h('ul', { class: 'entries' }, detail.case_studies.map(studyEntry)),
      more > 0 ? h('p', { class: 'note' }, `and ${plural(more, 'more case study', 'more case studies')}.`) : null));
}
