// How a case study and its evidence are shown: strength is always visible, and weak evidence
// looks weak (pale, dashed, labelled) rather than being hidden or dressed up.

import { h } from './dom.js';

const STRENGTH_WORDS = { 1: 'weak', 2: 'weak', 3: 'moderate', 4: 'strong', 5: 'strong' };
/** 'weak', 'moderate', 'strong' or 'ungraded': the words and the class a strength is drawn with. */
export const strengthWords = (strength) => STRENGTH_WORDS[strength] ?? 'ungraded';

/**
 * A five-step meter, `strength` steps filled and the rest visibly empty, with the level's name
 * and "weak evidence" (or moderate, strong) in words: the picture never says more than the words.
 */
export function strengthBadge(strength, name, { prefix = 'Strength' } = {}) {
  if (!strength) {
    return h('span', { class: 'strength ungraded', 'data-strength': 0 },
      h('span', { class: 'strength-text' }, `${prefix}: not graded`));
  }
  const text = `${prefix} ${strength} of 5${name ? `: ${name}` : ''} (${strengthWords(strength)} evidence)`;
  return h('span', { class: `strength ${strengthWords(strength)}`, 'data-strength': strength },
    h('span', { class: 'pips', 'aria-hidden': 'true' },
      [1, 2, 3, 4, 5].map((i) => h('span', { class: i <= strength ? 'pip on' : 'pip' }))),
    h('span', { class: 'strength-text' }, text));
}

/** A link to a node in the explorer. */
export function nodeLink(id, text, view = 'node') {
  return h('a', { href: `?view=${view}&id=${encodeURIComponent(id)}` }, text);
}

function organisations(list) {
  return list.map((o, i) => [i ? ', ' : '', nodeLink(o.id, o.name)]);
}

/** '2019', '2019–2021' or 'Year not stated'. */
export function years(start, end) {
  if (!start) return 'Year not stated';
  return end && end !== start ? `${start}–${end}` : String(start);
}

export function hostname(url) {
  try { return new URL(url).hostname; } catch { return url; }
}

/** Links to a list of sources, each shown by its site's name. */
export function sourceLinks(urls) {
  return urls.map((url, i) => [i ? ', ' : '', h('a', { href: url, rel: 'noopener' }, hostname(url))]);
}

/** One ranked case study: what was done, by whom, where, and the evidence for each outcome. */
export function caseStudy(study) {
  const best = study.claims.find((c) => c.strength === study.strength) ?? study.claims[0];
  return h('li', { class: `study ${strengthWords(study.strength)}`, 'data-id': study.id },
    h('h3', {}, nodeLink(study.id, study.title)),
    strengthBadge(study.strength, best?.strength_name),
    h('p', { class: 'meta' },
      years(study.year_start, study.year_end),
      study.lead.length ? [' · Led by ', organisations(study.lead)] : null,
      study.places.length ? [' · ', study.places.map((p) => p.name).join(', ')] : null,
      study.regions.length ? [' (', study.regions.map((r) => r.name).join(', '), ')'] : null),
    h('p', {}, study.summary),
    study.reported_results.length
      ? [h('h4', {}, 'Reported results (as the case study states them, unverified)'),
        h('ul', {}, study.reported_results.map((r) => h('li', {}, r)))]
      : null,
    h('h4', {}, 'Evidence by outcome'),
    h('ul', { class: 'claims' }, study.claims.map((claim) => h('li', { 'data-direction': claim.direction },
      nodeLink(claim.outcome, claim.outcome_name), ': ',
      `${claim.strength_name} (${claim.strength}/5, ${strengthWords(claim.strength)}), ${claim.type_name.toLowerCase()}, `,
      directionWords(claim.direction),
      claim.source ? [' – ', h('a', { href: claim.source, rel: 'noopener' }, 'source')] : null))),
    study.source_urls.length ? h('p', { class: 'sources' }, 'Sources: ', sourceLinks(study.source_urls)) : null,
    h('p', { class: 'why' }, 'Why it matched: ', study.matched.join('; ')));
}

/** Directions as a label (a filter's option, a table's heading). */
export const DIRECTION_LABELS = {
  positive: 'Positive', mixed: 'Mixed', negative: 'Negative', no_effect: 'No effect', not_stated: 'Not stated',
};

const DIRECTION_WORDS = {
  positive: 'positive effect reported',
  mixed: 'mixed effect reported',
  negative: 'negative effect reported',
  no_effect: 'no effect found',
  not_stated: 'direction not stated',
};

/** The direction of a claim in words; a direction the source did not state is never implied. */
export function directionWords(direction) {
  return DIRECTION_WORDS[direction] ?? 'direction not stated';
}

/** A numbered list of case studies, in the API's order (strongest evidence first). */
export function caseStudyList(studies, start = 1) {
  return h('ol', { class: 'studies', start }, studies.map(caseStudy));
}
