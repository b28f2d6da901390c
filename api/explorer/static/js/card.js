// The evidence card of an approach (graph.synthesis.EvidenceCard): its rating in words and the
// clause of the rule that gave it, how strong its best evidence is, what its studies found (a
// direction not stated is said so), what did not work, and whether the rating holds without the
// weakest evidence. Weak evidence is drawn weak: dashed, pale, and labelled in words.

import { h, plural } from './dom.js';
import { directionWords, nodeLink, strengthBadge, strengthWords } from './evidence.js';

const TALLY = ['positive', 'mixed', 'negative', 'no_effect', 'not_stated'];
const TALLY_WORDS = {
  positive: 'found it worked (positive)', mixed: 'mixed', negative: 'negative', no_effect: 'no effect',
  not_stated: 'direction not stated',
};
const STRENGTH_NAMES = { 1: 'Reported', 2: 'Documented', 3: 'Externally examined', 4: 'Independently evaluated', 5: 'Peer reviewed' };

/** Weak: no study examined by anyone outside it (best strength 2 or below). */
export const isWeak = (card) => (card.best_strength?.strength ?? 0) <= 2;

/** The rating in words, coloured by rating; "mixed or negative" is marked, never green. */
export function ratingBadge(rating) {
  return h('span', { class: `rating rating-${rating.id}`, 'data-rating': rating.id },
    rating.id === 'mixed' ? h('span', { class: 'rating-mark', 'aria-hidden': 'true' }, '!') : null,
    h('span', { class: 'rating-text' }, `Rated: ${rating.name}`));
}

/** The studies by direction, in words, every direction counted (none implied). */
export function directionTally(directions) {
  return h('ul', { class: 'tally', 'aria-label': 'What the studies found' },
    TALLY.map((d) => h('li', { 'data-direction': d, class: directions[d] ? null : 'none' },
      h('span', { class: 'count' }, String(directions[d] ?? 0)), ` ${TALLY_WORDS[d]}`)));
}

function strengthProfile(strengths) {
  const present = Object.entries(strengths).filter(([, n]) => n).sort(([a], [b]) => b - a);
  if (!present.length) return null;
  return h('p', { class: 'by-strength' }, 'By strength: ',
    present.map(([s, n], i) => [i ? ', ' : '', `${n} at ${s} – ${STRENGTH_NAMES[s] ?? s}`]), '.');
}

/** Does the rating hold without self-reported and news-report evidence? */
export function robustnessBadge(robust) {
  const holds = robust.badge === 'holds';
  return h('p', { class: `robustness ${robust.badge}`, 'data-badge': robust.badge },
    h('strong', {}, holds ? 'Holds' : `Changes to ${robust.changes_to?.name ?? robust.rating.name}`),
    ` ${robust.check}`, holds ? '' : ` (${robust.rule})`);
}

function didNotWork(card, level) {
  if (!card.did_not_work_total) return null;
  const more = card.did_not_work_total - card.did_not_work.length;
  return h('section', { class: 'did-not-work' },
    h(`h${level}`, {}, `What did not work, or not everywhere (${card.did_not_work_total})`),
    h('ul', {}, card.did_not_work.map((s) => h('li', { 'data-id': s.case_study_id, 'data-direction': s.direction },
      nodeLink(s.case_study_id, s.title), s.organisation ? ` (${s.organisation})` : '', ': ',
      h('strong', {}, directionWords(s.direction)), `, strength ${s.strength} of 5 (${strengthWords(s.strength)} evidence)`,
      s.source ? [' – ', h('a', { href: s.source, rel: 'noopener' }, 'source')] : null))),
    more > 0 ? h('p', { class: 'note' }, `and ${plural(more, 'more case study', 'more case studies')}.`) : null);
}

function reportedResults(card) {
  if (!card.reported_results_total) return null;
  return h('details', { class: 'reported' },
    h('summary', {}, `Reported results (${card.reported_results_total}), as the case studies state them, unverified`),
    h('ul', {}, card.reported_results.map((r) => h('li', {}, r.text, ' – ', nodeLink(r.case_study_id, 'case study')))));
}

/**
 * One card: `title` (text or a link) heads it at heading `level`; `extra` (nodes) follow the
 * numbers, before what did not work.
 */
export function evidenceCard(card, { title, level = 3, id = null, extra = null }) {
  const weak = isWeak(card);
  const best = card.best_strength;
  return h('article', {
    class: `card card-rating-${card.rating.id}${weak ? ' weak' : ''}`, 'data-id': id, 'data-rating': card.rating.id,
    'data-best-strength': best?.strength ?? 0, 'data-weak': weak ? 'true' : 'false',
  },
  h(`h${level}`, { class: 'card-title' }, title),
  h('div', { class: 'card-head' }, ratingBadge(card.rating),
    strengthBadge(best?.strength, best?.name, { prefix: 'Best evidence: strength' })),
  weak && card.studies ? h('p', { class: 'weak-note' }, 'Weak evidence: no study was examined by anyone outside it.') : null,
  h('p', { class: 'rule' }, h('span', { class: 'rule-label' }, 'Why this rating: '), card.rule),
  h('p', { class: 'card-summary' }, card.summary),
  h('p', { class: 'counts' }, `${plural(card.studies, 'case study', 'case studies')} in ${plural(card.places, 'place')}`),
  directionTally(card.directions),
  strengthProfile(card.strengths),
  robustnessBadge(card.robustness),
  extra,
  didNotWork(card, level + 1),
  reportedResults(card));
}

/** A case study behind a card (the API's StudyEntry): strength, direction in words, outcomes. */
export function studyEntry(s) {
  return h('li', { class: `study-entry ${strengthWords(s.strength)}`, 'data-id': s.id, 'data-direction': s.direction },
    nodeLink(s.id, s.title), s.organisation ? h('span', { class: 'kind-inline' }, ` ${s.organisation}`) : null, ' ',
    strengthBadge(s.strength, s.strength_name), ' ',
    h('span', { class: 'direction' }, directionWords(s.direction)),
    s.outcomes?.length ? h('span', { class: 'note' }, ` · ${s.outcomes.map((o) => o.name).join(', ')}`) : null,
    s.source ? [' – ', h('a', { href: s.source, rel: 'noopener' }, 'source')] : null);
}

