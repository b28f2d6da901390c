// One node: its neighbourhood as an interactive graph (click a node to add its neighbours) and,
// beside it, the selected node's details and links, which are the keyboard's way round the graph.

import * as api from '../api.js';
import { announce, fill, h, plural, select } from '../dom.js';
import { createGraph } from '../graph.js';
import { kindColour, kindName } from '../kinds.js';

const HIDDEN_PROPERTIES = new Set(['id', 'name', 'description', 'load', 'title', 'summary']);

export async function render(page, params, { navigate, remember, onMount }) {
  const id = params.get('id');
  if (!id) throw new Error('No node given');
  const depth = Number(params.get('depth') ?? 1);
  const expanded = (params.get('expand') ?? '').split(',').filter(Boolean);
  const [detail, around] = await Promise.all([api.node(id), api.neighbourhood(id, depth)]);
  const name = detail.properties.name ?? detail.properties.title ?? id;

  const state = () => ({ view: 'node', id, depth, ...(expanded.length ? { expand: expanded.join(',') } : {}) });
  const canvas = h('div', { id: 'graph', class: 'graph', role: 'img' });
  const legend = h('ul', { class: 'legend', 'aria-label': 'Kinds in the graph' });
  const panel = h('aside', { class: 'panel', 'aria-labelledby': 'panel-heading' });
  let graph = null;

  function describeGraph() {
    canvas.setAttribute('aria-label',
      `Graph of ${plural(graph.cy.nodes().length, 'node')} and ${plural(graph.cy.edges().length, 'link')} `
      + `around ${name}. The selected node's links are listed beside the graph.`);
    const kinds = [...new Set(graph.cy.nodes().map((n) => n.data('kind')))].sort();
    fill(legend, ...kinds.map((kind) => h('li', {},
      h('span', { class: 'swatch', style: `background:${kindColour(kind)}` }), kindName(kind))));
  }

  async function expand(target) {
    if (!graph) return;
    const more = await api.neighbourhood(target, 1);
    const added = graph.add(more);
    graph.markExpanded(target);
    if (!expanded.includes(target) && target !== id) expanded.push(target);
    remember(state());
    describeGraph();
    await showDetail(target);
    announce(`Added ${plural(added, 'node or link', 'nodes and links')} around ${graph.cy.getElementById(target).data('label')}`);
  }

  async function showDetail(target) {
    graph?.select(target);
    const chosen = target === id ? detail : await api.node(target);
    fill(panel, details(chosen, target === id, () => expand(target)));
  }

  const depthControl = select('depth', 'Hops from this node', [['1', '1'], ['2', '2'], ['3', '3']], String(depth));
  depthControl.querySelector('select').addEventListener('change', (event) => {
    navigate({ view: 'node', id, depth: event.target.value }, { focus: '#f-depth' });
  });

  fill(page, 
    h('p', { class: 'kind' }, kindName(detail.kind)),
    h('h1', { tabindex: -1 }, name),
    detail.properties.description ? h('p', { class: 'lede' }, detail.properties.description) : null,
    h('div', { class: 'toolbar' }, depthControl,
      h('a', { href: `?view=node&id=${encodeURIComponent(id)}&depth=${depth}` }, 'Reset the graph'),
      around.truncated ? h('p', { class: 'note' }, 'Only the nearest nodes are shown: this neighbourhood is large.') : null),
    h('div', { class: 'explore' },
      h('figure', { class: 'graph-box' }, canvas,
        h('figcaption', {}, 'Click a node to add its neighbours and see its details. Drag to move, scroll to zoom.'),
        legend),
      panel));
  // Cytoscape measures its container, so draw once the page is in the document.
  onMount(async () => {
    graph = createGraph(canvas, id, (tapped) => expand(tapped));
    graph.add(around);
    for (const extra of expanded) {
      graph.add(await api.neighbourhood(extra, 1));
      graph.markExpanded(extra);
    }
    describeGraph();
    graph.cy.fit(undefined, 20);
  });
  fill(panel, details(detail, true, () => expand(id)));
}

function details(detail, isCentre, expand) {
  const props = detail.properties;
  const label = props.name ?? props.title ?? detail.id;
  const facts = Object.entries(props).filter(([key]) => !HIDDEN_PROPERTIES.has(key));
  const groups = Map.groupBy(detail.links, (link) => `${link.type} ${link.direction}`);
  const further = furtherViews(detail);
  return [
    h('p', { class: 'kind' }, kindName(detail.kind)),
    h('h2', { id: 'panel-heading' }, label),
    !isCentre ? h('p', {}, h('a', { href: `?view=node&id=${encodeURIComponent(detail.id)}` }, `Centre the graph on ${label}`)) : null,
    h('button', { type: 'button', onclick: expand }, 'Add its neighbours to the graph'),
    further,
    props.summary ? h('p', {}, props.summary) : null,
    !isCentre && props.description ? h('p', {}, props.description) : null,
    facts.length ? h('dl', { class: 'facts' }, facts.map(([key, value]) => [
      h('dt', {}, key.replaceAll('_', ' ')), h('dd', {}, valueOf(value))])) : null,
    h('h3', {}, `Links (${detail.links_total})`),
    detail.links_total > detail.links.length
      ? h('p', { class: 'note' }, `Showing the first ${detail.links.length}.`) : null,
    [...groups].map(([key, links]) => h('section', { class: 'link-group' },
      h('h4', {}, linkHeading(key)),
      h('ul', {}, links.map((link) => h('li', {},
        h('a', { href: `?view=node&id=${encodeURIComponent(link.node.id)}` }, link.node.name),
        h('span', { class: 'kind-inline' }, ` ${kindName(link.node.kind)}`)))))),
    h('p', { class: 'linked-data' },
      h('a', { href: api.apiUrl(`/nodes/${encodeURIComponent(detail.id)}`) }, 'This node as JSON')),
  ];
}

function furtherViews(detail) {
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
