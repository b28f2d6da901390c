// The neighbourhood drawing: Cytoscape.js, vendored, fed the API's elements as they come.

import cytoscape from '../vendor/cytoscape.esm.min.js';
import { kindColour } from './kinds.js';

const STYLE = [
  {
    selector: 'node',
    style: {
      'background-color': (n) => kindColour(n.data('kind')),
      label: 'data(short)', color: '#1b1b1b', 'font-size': 11, 'text-valign': 'bottom',
      'text-margin-y': 4, 'text-wrap': 'wrap', 'text-max-width': 120, width: 18, height: 18,
      'text-background-color': '#ffffff', 'text-background-opacity': 0.8,
    },
  },
  { selector: 'node.hub', style: { 'border-width': 2, 'border-style': 'dashed', 'border-color': '#4d4d4d' } },
  { selector: 'node.centre', style: { width: 30, height: 30, 'font-weight': 'bold' } },
  { selector: 'node.expanded', style: { 'border-width': 3, 'border-color': '#1b1b1b' } },
  { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#b04a00' } },
  {
    selector: 'edge',
    style: {
      width: 1.2, 'line-color': '#9a9a9a', 'target-arrow-color': '#9a9a9a',
      'target-arrow-shape': 'triangle', 'curve-style': 'bezier', 'arrow-scale': 0.8,
    },
  },
  // The selected node's links say what they are; all labels at once would be unreadable.
  {
    selector: 'edge.near',
    style: {
      label: (e) => e.data('type').toLowerCase().replaceAll('_', ' '), 'font-size': 9,
      color: '#4d4d4d', 'line-color': '#4d4d4d', 'target-arrow-color': '#4d4d4d', width: 2,
      'text-background-color': '#ffffff', 'text-background-opacity': 0.9, 'text-rotation': 'autorotate',
    },
  },
];

function short(label) {
  return label.length > 40 ? `${label.slice(0, 38)}…` : label;
}

// A hub (a node whose links were too many to follow) is drawn dashed, with its count: what is
// drawn around it is not all there is.
function elementsOf(api) {
  const hubs = new Map((api.hubs ?? []).map((hub) => [hub.id, hub.links]));
  return [...api.nodes, ...api.edges].map((el) => {
    const links = hubs.get(el.data.id);
    const label = short(el.data.label ?? '');
    return {
      group: el.data.source ? 'edges' : 'nodes',
      data: links === undefined ? { ...el.data, short: label }
        : { ...el.data, hub: links, short: `${label}\n+${links.toLocaleString('en-GB')} links` },
      classes: links === undefined ? [] : ['hub'],
    };
  });
}

/** A graph in `container`; `onTap(id)` is called when a node is clicked or tapped. */
export function createGraph(container, centre, onTap) {
  const cy = cytoscape({ container, style: STYLE, minZoom: 0.2, maxZoom: 3, boxSelectionEnabled: false });
  cy.on('tap', 'node', (event) => onTap(event.target.id()));
  // The drawing, for the browser console (and the browser tests, which click its nodes).
  window.explorer = { graph: cy };

  function counted(added) {
    container.dataset.nodes = String(cy.nodes().length);
    container.dataset.edges = String(cy.edges().length);
    return added;
  }

  return {
    cy,
    /** The first drawing: breadth-first rings around the centre, the same picture every time. */
    draw(api) {
      cy.add(elementsOf(api));
      cy.getElementById(centre).addClass('centre').connectedEdges().addClass('near');
      cy.layout({ name: 'breadthfirst', roots: [centre], circle: true, spacingFactor: 1.1, animate: false }).run();
      cy.fit(undefined, 20);
      return counted(api.nodes.length);
    },
    /** Add a node's neighbours in a ring around it; what is drawn already stays where it is. */
    expand(id, api) {
      const fresh = elementsOf(api).filter((el) => cy.getElementById(el.data.id).empty());
      const added = cy.add(fresh);
      const origin = cy.getElementById(id).position();
      const nodes = added.nodes();
      const radius = 70 + nodes.length * 6;
      nodes.forEach((n, i) => {
        const angle = (2 * Math.PI * i) / Math.max(1, nodes.length);
        n.position({ x: origin.x + radius * Math.cos(angle), y: origin.y + radius * Math.sin(angle) });
      });
      cy.getElementById(id).addClass('expanded');
      if (nodes.length) cy.animate({ fit: { eles: cy.elements(), padding: 20 } }, { duration: 200 });
      return counted(nodes.length);
    },
    select(id) {
      cy.nodes().unselect();
      cy.edges().removeClass('near');
      cy.getElementById(id).select().connectedEdges().addClass('near');
    },
    destroy() {
      cy.destroy();
      if (window.explorer?.graph === cy) delete window.explorer;
    },
  };
}
