// How a case study and its evidence are shown: strength is always visible, and weak evidence
// looks weak (pale, dashed, labelled) rather than being hidden or dressed up.

import { h } from './dom.js';

const STRENGTH_WORDS = { 1: 'weak', 2: 'weak', 3: 'moderate', 4: 'strong', 5: 'strong' };
const words = (strength) => STRENGTH_WORDS[strength] ?? 'ungraded';

/** Five pips, `strength` of them filled, with the level's name in words. */
export function strengthBadge(strength, name) {
  const text = `Strength ${strength} of 5${name ? `: ${name}` : ''} (${words(strength)} evidence)`;
  return h('span', { class: `strength ${words(strength)}` },
    h('span', { class: 'pips', 'aria-hidden': 'true' },
      [1, 2, 3, 4, 5].map((i) => h('span', { class: i <= strength ? 'pip on' : 'pip' }))),
    h('span', { class: 'strength-text' }, text));
}

function organisations(list) {
  return list.map((o, i) => [i ? ', ' : '', h('a', { href: `?view=node&id=${encodeURIComponent(o.id)}` }, o.name)]);
}

function years(study) {
  if (!study.year_start) return 'Year not stated';
  return study.year_end && study.year_end !== study.year_start
    ? `${study.year_start}–${study.year_end}` : String(study.year_start);
}

function hostname(url) {
  try { return new URL(url).hostname; } catch { return url; }
}

/** One ranked case study: what was done, by whom, where, and the evidence for each outcome. */
export function caseStudy(study) {
  const best = study.claims.find((c) => c.strength === study.strength) ?? study.claims[0];
  return h('li', { class: `study ${words(study.strength)}`, 'data-id': study.id },
    h('h3', {}, h('a', { href: `?view=node&id=${encodeURIComponent(study.id)}` }, study.title)),
    strengthBadge(study.strength, best?.strength_name),
    h('p', { class: 'meta' },
      years(study),
      study.lead.length ? [' · Led by ', organisations(study.lead)] : null,
      study.places.length ? [' · ', study.places.map((p) => p.name).join(', ')] : null,
      study.regions.length ? [' (', study.regions.map((r) => r.name).join(', '), ')'] : null),
    h('p', {}, study.summary),
    study.reported_results.length
      ? [h('h4', {}, 'Reported results'),
        h('ul', {}, study.reported_results.map((r) => h('li', {}, r)))]
      : null,
    h('h4', {}, 'Evidence by outcome'),
    h('ul', { class: 'claims' }, study.claims.map((claim) => h('li', {},
      h('a', { href: `?view=node&id=${encodeURIComponent(claim.outcome)}` }, claim.outcome_name), ': ',
      `${claim.strength_name} (${claim.strength}/5), ${claim.type_name.toLowerCase()}, `,
      directionWords(claim.direction),
      claim.source ? [' – ', h('a', { href: claim.source, rel: 'noopener' }, 'source')] : null))),
    study.source_urls.length
      ? h('p', { class: 'sources' }, 'Sources: ', study.source_urls.map((url, i) =>
        [i ? ', ' : '', h('a', { href: url, rel: 'noopener' }, hostname(url))]))
      : null,
    h('p', { class: 'why' }, 'Why it matched: ', study.matched.join('; ')));
}

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
