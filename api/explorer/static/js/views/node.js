// One node: its neighbourhood as an interactive graph (click a node to add its neighbours) and,
// beside it, the selected node's details and links, which are the keyboard's way round the graph.

import * as api from '../api.js';
import { announce, fill, groupBy, h, newest, plural, problemBox, select } from '../dom.js';
import { directionWords, nodeLink, sourceLinks, strengthBadge, years } from '../evidence.js';
import { createGraph } from '../graph.js';
import { kindColour, kindName } from '../kinds.js';
import { strengthLevels } from './works.js';

// Bookkeeping the loader keeps on nodes; the links below say the same things better.
const HIDDEN = new Set([
  'id', 'name', 'description', 'load', 'title', 'summary', 'source_file', 'checksum', 'level', 'year_end',
]);
const hidden = (key) => HIDDEN.has(key) || /_ids?$/.test(key);
// Properties as people say them, not as the loader names them.
const LABELS = {
  source_urls: 'Sources', source: 'Source', year_start: 'Year', reported_results: 'Reported results (as stated, unverified)',
  cost: 'Reported cost (as stated, unverified)', cost_basis: 'What the cost covers', cost_year: 'Year of the cost',
  strength: 'Strength', evidence_type: 'Type of evidence', direction: 'Direction', notation: 'Number',
  alt_names: 'Also known as', gss_code: 'GSS code', organisation_type: 'Type of organisation',
  resource_type: 'Type of resource', rank: 'Rank', min_positive: 'Studies that found it worked, at least',
  min_positive_at_strength: 'Of those, at strength 4 or more, at least', min_positive_share: 'Share that found it worked, at least',
  min_strength: 'Counting studies at strength, at least', min_against_share: 'Share against, at least',
  max_against_at_strength: 'Studies against at strength 4 or more, at most',
};
/** A property's label: a person's words, or the name with its underscores made spaces. */
export function labelOf(key) {
  const words = LABELS[key] ?? key.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
const DEPTHS = ['1', '2', '3'];
const MOST_CLAIMS = 12;

export async function render(page, params, { navigate, remember, onMount, onLeave }) {
  const id = params.get('id');
  if (!id) throw new Error('no node given: open one from Search');
  const depth = DEPTHS.includes(params.get('depth')) ? Number(params.get('depth')) : 1;
  const expanded = (params.get('expand') ?? '').split(',').filter(Boolean);
  const [detail, around, levels] = await Promise.all([api.node(id), api.neighbourhood(id, depth), strengthLevels()]);
  const name = detail.properties.name ?? detail.properties.title ?? id;
  const [evidence, decided] = detail.kind === 'CaseStudy'
    ? await Promise.all([claimsOf(detail, levels), api.decisions(id)]) : [null, []];

  const state = () => ({ view: 'node', id, depth, expand: expanded.join(',') });
  const canvas = h('div', { id: 'graph', class: 'graph', role: 'img' });
  const legend = h('ul', { class: 'legend', 'aria-label': 'Kinds in the graph' });
  const panel = h('aside', { class: 'panel', 'aria-labelledby': 'panel-heading' });
  const ask = newest();
  let graph = null;

  function describeGraph() {
    canvas.setAttribute('aria-label',
      `Graph of ${plural(graph.cy.nodes().length, 'node')} and ${plural(graph.cy.edges().length, 'link')} `
      + `around ${name}. The selected node's links are listed beside the graph.`);
    const kinds = [...new Set(graph.cy.nodes().map((n) => n.data('kind')))].sort();
    fill(legend, kinds.map((kind) => h('li', {},
      h('span', { class: 'swatch', style: { background: kindColour(kind) } }), kindName(kind))));
  }

  async function expand(target) {
    if (!graph) return;
    const fresh = ask();
    graph.select(target);
    try {
      const [more, chosen] = await Promise.all([api.neighbourhood(target, 1), api.node(target)]);
      if (!fresh()) return; // a later click has taken over
      const added = graph.expand(target, more);
      if (target !== id && !expanded.includes(target)) expanded.push(target);
      remember(state());
      describeGraph();
      showDetail(chosen);
      announce(`${plural(added, 'node')} added around ${graph.cy.getElementById(target).data('label')}`);
    } catch (error) {
      if (fresh()) fill(panel, problemBox(error, 'Could not add its neighbours'));
    }
  }

  function showDetail(chosen) {
    const hadFocus = panel.contains(document.activeElement) || document.activeElement === document.body;
    fill(panel, details(chosen, chosen.id === id, () => expand(chosen.id), levels));
    // The button pressed may be gone: keep keyboard users in the panel, not back at the top.
    if (hadFocus && document.activeElement === document.body) panel.querySelector('h2').focus();
  }

  const depthForm = h('form', { class: 'depth' },
    select('depth', 'Hops from this node', DEPTHS.map((d) => [d, d]), String(depth)),
    h('button', { type: 'submit' }, 'Redraw'));
  depthForm.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate({ view: 'node', id, depth: new FormData(depthForm).get('depth') }, { focus: '#f-depth' });
  });

  fill(page,
    h('p', { class: 'kind' }, kindName(detail.kind)),
    h('h1', { tabindex: -1 }, name),
    detail.properties.description ? h('p', { class: 'lede' }, detail.properties.description) : null,
    corrected(decided),
    evidence,
    decided.length ? decisionList(decided) : null,
    h('div', { class: 'toolbar' }, depthForm,
      h('a', { href: `?view=node&id=${encodeURIComponent(id)}&depth=${depth}` }, 'Reset the graph'),
      around.truncated ? h('p', { class: 'note' }, 'Only the nearest nodes are shown: this neighbourhood is large.') : null),
    hubsNote(around),
    h('div', { class: 'explore' },
      h('figure', { class: 'graph-box' }, canvas,
        h('figcaption', {}, 'Click a node to add its neighbours and see its details. Drag to move, scroll to zoom.'),
        legend),
      panel));
  showDetail(detail);
  // Cytoscape measures its container, so draw once the page is in the document.
  onMount(async () => {
    graph = createGraph(canvas, id, (tapped) => expand(tapped));
    onLeave(() => graph.destroy());
    graph.draw(around);
    for (const extra of expanded) graph.expand(extra, await api.neighbourhood(extra, 1));
    describeGraph();
  });
}

/** The nodes whose links the neighbourhood counted instead of following, with the counts. */
function hubsNote(around) {
  if (!around.hubs?.length) return null;
  const names = new Map(around.nodes.map((n) => [n.data.id, n.data.label]));
  return h('section', { class: 'hubs', 'aria-labelledby': 'hubs-heading' },
    h('h2', { id: 'hubs-heading' }, 'Not followed: too many links to draw'),
    h('ul', {}, around.hubs.map((hub) => h('li', { 'data-id': hub.id, 'data-links': hub.links },
      h('a', { href: `?view=node&id=${encodeURIComponent(hub.id)}` }, names.get(hub.id) ?? hub.id),
      `: links not shown: ${hub.links.toLocaleString('en-GB')}`))));
}

/**
 * A case study's evidence, outcome by outcome: each claim's strength with its level's name and
 * its direction in words (one /nodes call per claim; a case study has a handful).
 */
async function claimsOf(detail, levels) {
  const ids = detail.links.filter((l) => l.type === 'HAS_CLAIM' && l.direction === 'out').map((l) => l.node.id);
  const claims = await Promise.all(ids.slice(0, MOST_CLAIMS).map((claim) => api.node(claim)));
  const linked = (claim, type) => claim.links.find((l) => l.type === type && l.direction === 'out')?.node;
  const rows = claims.map((claim) => ({ claim, outcome: linked(claim, 'FOR_OUTCOME'), type: linked(claim, 'OF_TYPE') }))
    .sort((a, b) => (b.claim.properties.strength ?? 0) - (a.claim.properties.strength ?? 0));
  return h('section', { class: 'case-evidence', 'aria-labelledby': 'evidence-heading' },
    h('h2', { id: 'evidence-heading' }, 'Evidence by outcome'),
    rows.length ? h('ul', { class: 'claims' }, rows.map(({ claim, outcome, type }) => {
      const p = claim.properties;
      return h('li', { 'data-id': claim.id, 'data-direction': p.direction ?? 'not_stated' },
        h('strong', {}, outcome ? nodeLink(outcome.id, outcome.name) : p.name), ': ',
        strengthBadge(p.strength, levelName(levels, p.strength)), ' ',
        h('span', { class: 'direction' }, `${type ? `${type.name}, ` : ''}${directionWords(p.direction)}`),
        p.description ? h('p', { class: 'note' }, p.description) : null,
        h('p', { class: 'report-link' }, reportLink(claim.id, `Report a problem with this claim (${outcome?.name ?? p.name})`)));
    })) : h('p', {}, 'No evidence claims: this case study states no outcome evidence.'),
    ids.length > MOST_CLAIMS ? h('p', { class: 'note' }, `Showing the first ${MOST_CLAIMS} of ${ids.length}.`) : null);
}

/** A link to the form that reports an error in one statement. */
function reportLink(id, text) {
  return h('a', { href: `?view=report&statement=${encodeURIComponent(id)}` }, text);
}

/** The latest correction, said at the top: what changed, when and why. */
function corrected(decided) {
  const last = decided.filter((d) => d.activity === 'correction').at(-1);
  if (!last) return null;
  return h('p', { class: 'corrected-note' }, h('strong', {}, `Corrected on ${last.at.slice(0, 10)}: `),
    last.changes.join('; '), '. ', `Why: ${last.reason ?? 'not given'}`);
}

/** The curators' decisions and corrections that wrote this case study, oldest first. */
function decisionList(decided) {
  return h('section', { class: 'decisions', 'aria-labelledby': 'decisions-heading' },
    h('h2', { id: 'decisions-heading' }, 'Curators’ decisions and corrections'),
    h('ul', {}, decided.map((d) => h('li', { 'data-activity': d.activity },
      h('strong', {}, d.activity === 'correction' ? 'Corrected' : 'Accepted by a curator'),
      `, ${d.at.slice(0, 10)}${d.curator ? `, by ${d.curator}` : ''}: ${d.reason ?? ''}`,
      d.changes.length ? h('p', { class: 'note' }, `Changed: ${d.changes.join('; ')}`) : null,
      d.curator_grades.length ? h('p', { class: 'note' }, `Published grade (the curator’s): ${d.curator_grades.join('; ')}. `
        + `As submitted: ${d.submitter_claims.join('; ')}`) : null,
      d.evaluation_status && d.evaluation_status !== 'completed'
        ? h('p', { class: 'note' }, `Evaluation ${d.evaluation_status}${d.expected_report_date ? `, report expected ${d.expected_report_date}` : ''}`) : null))));
}

function levelName(levels, strength) {
  return levels.find((l) => Number(l.notation) === strength)?.name;
}

function details(detail, isCentre, expand, levels) {
  const props = detail.properties;
  const label = props.name ?? props.title ?? detail.id;
  const facts = Object.entries(props).filter(([key]) => !hidden(key))
    .filter(([key]) => !(key === 'source' && props.source_urls?.length));
  const linkedName = (type) => detail.links.find((l) => l.type === type && l.direction === 'out')?.node.name;
  const groups = groupBy(detail.links, (link) => `${link.type} ${link.direction}`);
  return [
    h('p', { class: 'kind' }, kindName(detail.kind)),
    h('h2', { id: 'panel-heading', tabindex: -1 }, label),
    !isCentre ? h('p', {}, h('a', { href: `?view=node&id=${encodeURIComponent(detail.id)}` }, `Centre the graph on ${label}`)) : null,
    h('button', { type: 'button', onclick: expand }, 'Add its neighbours to the graph'),
    furtherViews(detail),
    props.summary ? h('p', {}, props.summary) : null,
    !isCentre && props.description ? h('p', {}, props.description) : null,
    facts.length ? h('dl', { class: 'facts' }, facts.map(([key, value]) => [
      h('dt', {}, labelOf(key)),
      h('dd', {}, factOf(key, value, props, levels, linkedName))])) : null,
    h('h3', {}, `Links (${detail.links_total.toLocaleString('en-GB')})`),
    linksNotShown(detail),
    [...groups].map(([key, links]) => h('section', { class: 'link-group' },
      h('h4', {}, linkHeading(key)),
      h('ul', {}, links.map((link) => h('li', {},
        h('a', { href: `?view=node&id=${encodeURIComponent(link.node.id)}` }, link.node.name),
        h('span', { class: 'kind-inline' }, ` ${kindName(link.node.kind)}`)))))),
    h('p', { class: 'linked-data' },
      h('a', { href: api.apiUrl(`/nodes/${encodeURIComponent(detail.id)}`) }, 'This node as JSON'), ' · ',
      reportLink(detail.id, `Report a problem with ${label}`)),
  ];
}

// A node with more links than the API lists (an outcome with 25,000 claims) says how many are
// missing, rather than looking like a node with few.
function linksNotShown(detail) {
  const missing = detail.links_total - detail.links.length;
  if (!detail.links_truncated && missing <= 0) return null;
  const count = missing.toLocaleString('en-GB');
  return h('p', { class: 'note links-not-shown', 'data-missing': missing },
    detail.links.length ? `Showing the first ${detail.links.length}; links not shown: ${count}.`
      : `Links not shown: ${count}, too many to list here.`);
}

function factOf(key, value, props, levels, linkedName) {
  if (key === 'direction') return directionWords(value);
  if (key === 'strength' && props.level) return strengthBadge(value, linkedName('AT_LEVEL') ?? levelName(levels, value));
  if (key === 'evidence_type') return linkedName('OF_TYPE') ?? valueOf(value);
  if (key === 'year_start') return years(value, props.year_end);
  if (key === 'source_urls') return sourceLinks(value);
  return valueOf(value);
}

function furtherViews(detail) {
  if (detail.kind === 'Intervention') {
    return h('p', {}, nodeLink(detail.id, `The evidence for ${detail.properties.name}: its card and case studies`, 'intervention'));
  }
  const filters = { Outcome: 'outcome', PolicyTheme: 'theme', Region: 'region', Organisation: 'organisation' };
  const filter = filters[detail.kind];
  if (!filter) return null;
  return h('p', {}, h('a', { href: `?view=works&${filter}=${encodeURIComponent(detail.id)}` },
    `What works: case studies for ${detail.properties.name}`));
}

function linkHeading(key) {
  const [type, direction] = key.split(' ');
  const words = type.toLowerCase().replaceAll('_', ' ');
  return direction === 'out' ? `${words} →` : `← ${words}`;
}

function valueOf(value) {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, i) => {
    const text = String(item);
    return [i ? h('br') : null, /^https?:\/\//.test(text) ? h('a', { href: text, rel: 'noopener' }, text) : text];
  });
}
