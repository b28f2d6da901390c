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
  { selector: 'node.centre', style: { width: 30, height: 30, 'font-weight': 'bold' } },
  { selector: 'node.expanded', style: { 'border-width': 3, 'border-color': '#1b1b1b' } },
  { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#e8a400' } },
  {
    selector: 'edge',
    style: {
      width: 1.2, 'line-color': '#9a9a9a', 'target-arrow-color': '#9a9a9a',
      'target-arrow-shape': 'triangle', 'curve-style': 'bezier', 'arrow-scale': 0.8,
    },
  },
];

function short(label) {
  return label.length > 40 ? `${label.slice(0, 38)}…` : label;
}

/** A graph in `container`; `onTap(id)` is called when a node is clicked or tapped. */
export function createGraph(container, centre, onTap) {
  const cy = cytoscape({
    container, style: STYLE, minZoom: 0.2, maxZoom: 3,
    boxSelectionEnabled: false, autoungrabify: false,
  });
  cy.on('tap', 'node', (event) => onTap(event.target.id()));
  // The drawing, for the browser console (and the browser tests, which click its nodes).
  window.explorer = { graph: cy };
  return {
    cy,
    /** Add the API's nodes and edges (those already drawn are kept), then lay out again. */
    add(elements) {
      const fresh = [...elements.nodes, ...elements.edges]
        .filter((el) => cy.getElementById(el.data.id).empty())
        .map((el) => ({ group: el.data.source ? 'edges' : 'nodes', data: { ...el.data, short: short(el.data.label ?? '') } }));
      cy.add(fresh);
      cy.getElementById(centre).addClass('centre');
      // Breadth-first rings around the centre: the same data always gives the same picture.
      cy.layout({ name: 'breadthfirst', roots: [centre], circle: true, spacingFactor: 1.1, animate: false }).run();
      container.dataset.nodes = String(cy.nodes().length);
      container.dataset.edges = String(cy.edges().length);
      return fresh.length;
    },
    markExpanded(id) { cy.getElementById(id).addClass('expanded'); },
    select(id) { cy.nodes().unselect(); cy.getElementById(id).select(); },
  };
}
