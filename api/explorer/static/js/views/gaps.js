// The evidence and gap map: rows x columns (approaches x outcomes by default). A cell's colour
// is the STRENGTH of its best evidence, never its count, so a cell of many weak studies stays
// pale; the count is the number in the cell. Empty cells are hatched, every cell opens its case
// studies (and, for an approach, its evidence card), and the whole map downloads as CSV.
//
// API calls behind this view: GET /evidence/gap-map; for a chosen cell GET /interventions/{id}
// (a cell of an approach) or GET /evidence (any other cell).

import * as api from '../api.js';
import { add, announce, fill, h, newest, plural, problemBox, select } from '../dom.js';
import { evidenceCard, studyEntry } from '../card.js';
import { caseStudyList, strengthWords } from '../evidence.js';
import { byId, choices, filterFrom, otherFilters, strengthLevels } from './works.js';

const DIMENSIONS = [
  ['intervention', 'Approaches'], ['outcome', 'Outcomes'], ['theme', 'Policy themes'], ['region', 'Regions'],
  ['evidence_type', 'Types of evidence'], ['direction', 'Directions (what the studies found)'],
];
const LISTED = 50;
const STRONG = 3; // externally examined or better

/** How many of a cell's case studies found no effect, a negative or a mixed result. */
function againstOf(cell) {
  const d = cell.directions ?? {};
  return (d.negative ?? 0) + (d.no_effect ?? 0) + (d.mixed ?? 0);
}

/** The strength of a cell's best evidence, 0 for none. */
export function bestOf(cell) {
  return cell.best_strength ?? 0;
}

export async function render(page, params, { navigate, record, remember, current }) {
  const rows = dimension(params.get('rows'), 'intervention');
  let cols = dimension(params.get('cols'), 'outcome');
  if (cols === rows) cols = rows === 'outcome' ? 'intervention' : 'outcome';
  const [levels, outcomes] = await Promise.all([strengthLevels(), choices('Outcome', '')]);
  const filter = byId(filterFrom(params), { outcome: outcomes });
  const map = await api.gapMap(filter, rows, cols);
  const state = { view: 'gaps', rows, cols, ...filter };
  remember({ ...state, cell: params.get('cell') });

  const empty = map.cells.filter((c) => c.case_studies === 0);
  const strong = map.cells.filter((c) => bestOf(c) >= STRONG);
  const rowName = new Map(map.row_values.map((v) => [v.key, v.name]));
  const colName = new Map(map.col_values.map((v) => [v.key, v.name]));
  const cells = new Map(map.cells.map((c) => [`${c.row}|${c.col}`, c]));
  const chosenBox = h('section', { class: 'cell-studies' });
  const ask = newest();

  const form = h('form', { class: 'filters' },
    select('rows', 'Rows', DIMENSIONS, rows),
    select('cols', 'Columns', DIMENSIONS, cols),
    select('min_strength', 'Strength at least', levels.map((l) => [l.notation, `${l.notation} – ${l.name}`]), filter.min_strength ?? '1'),
    h('button', { type: 'submit' }, 'Show the map'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = Object.fromEntries([...new FormData(form)].filter(([k, v]) => !(k === 'min_strength' && v === '1')));
    navigate({ ...state, min_strength: '', ...chosen }, { focus: '#map-heading' });
  });

  async function open(key, { focus }) {
    const cell = cells.get(key);
    if (!cell) return;
    const fresh = ask();
    for (const b of page.querySelectorAll('button[data-cell]')) {
      if (b.dataset.cell === key) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
      b.tabIndex = b.dataset.cell === key ? 0 : -1; // Tab comes back to the chosen cell
    }
    const title = `${rowName.get(cell.row)} × ${colName.get(cell.col)}`;
    try {
      const shown = await cellContents(cell, rows, cols, filter, title);
      if (!fresh() || !current()) return; // another cell, or another page, has been chosen since
      fill(chosenBox, shown);
      announce(`${title}: ${plural(cell.case_studies, 'case study', 'case studies')}`);
    } catch (error) {
      if (!fresh()) return;
      fill(chosenBox, problemBox(error, `Could not list ${title}`));
    }
    if (focus) chosenBox.querySelector('h2').focus();
  }

  const choose = (key) => {
    record({ ...state, cell: key });
    open(key, { focus: true });
  };
  const table = h('table', { class: 'heatmap' },
    h('caption', {}, `Case studies by ${label(rows).toLowerCase()} (rows) and ${label(cols).toLowerCase()} (columns). `
      + 'The colour is the strength of the best evidence in the cell; the number is how many case studies. '
      + 'Hatched cells have none. Choose a cell to list its case studies; arrow keys move between cells.'),
    h('thead', {}, h('tr', {}, h('td'), map.col_values.map((v) => h('th', { scope: 'col' }, v.name)))),
    h('tbody', {}, map.row_values.map((r) => h('tr', {}, h('th', { scope: 'row' }, r.name),
      map.col_values.map((c) => cellOf(cells.get(`${r.key}|${c.key}`), rowName, colName, choose))))));

  rovingFocus(table, params.get('cell'));
  const atLeast = levels.find((l) => l.notation === (filter.min_strength ?? '1'));
  add(page, 
    h('h1', { tabindex: -1 }, 'Evidence and gap map'),
    h('p', { class: 'lede' }, 'Where the evidence is, and where it is missing.'),
    form,
    otherFilters(filter, ['rows', 'cols', 'min_strength'], { view: 'gaps', rows, cols }),
    h('h2', { id: 'map-heading', tabindex: -1 }, `${label(rows)} × ${label(cols)}`),
    h('p', { class: 'summary' },
      `${plural(empty.length, 'cell')} of ${map.cells.length} ha${empty.length === 1 ? 's' : 've'} no case studies`,
      atLeast && atLeast.notation !== '1' ? ` with evidence at ${atLeast.notation} – ${atLeast.name} or stronger` : '',
      `. ${plural(strong.length, 'cell')} ha${strong.length === 1 ? 's' : 've'} evidence externally examined or stronger (${STRONG} of 5 and up).`),
    h('p', {}, h('a', { href: api.gapMapCsvUrl(filter, rows, cols), download: `gap-map-${rows}-${cols}.csv` }, 'Download the map as CSV')),
    legend(levels),
    h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Gap map table' }, table),
    gapList(empty, rowName, colName),
    chosenBox);
  announce(`${plural(empty.length, 'empty cell')} of ${map.cells.length}`);
  if (params.get('cell')) await open(params.get('cell'), { focus: false });
}

/**
 * One Tab stop for the whole grid (the chosen cell, or the first): arrow keys, Home and End move
 * between cells, so a keyboard user need not tab through every cell to get past the map.
 */
function rovingFocus(table, chosen) {
  const buttons = [...table.querySelectorAll('tbody button[data-cell]')];
  const start = buttons.find((b) => b.dataset.cell === chosen) ?? buttons[0];
  for (const b of buttons) b.tabIndex = b === start ? 0 : -1;
  const moves = {
    ArrowRight: (r, c) => [r, c + 1], ArrowLeft: (r, c) => [r, c - 1],
    ArrowDown: (r, c) => [r + 1, c], ArrowUp: (r, c) => [r - 1, c],
    Home: (r) => [r, 0], End: (r, _, width) => [r, width - 1],
  };
  table.addEventListener('keydown', (event) => {
    const here = event.target.closest('button[data-cell]');
    const move = moves[event.key];
    if (!here || !move) return;
    const rowsOfCells = [...table.tBodies[0].rows].map((tr) => [...tr.querySelectorAll('button[data-cell]')]);
    const r = rowsOfCells.findIndex((row) => row.includes(here));
    const c = rowsOfCells[r].indexOf(here);
    const [nr, nc] = move(r, c, rowsOfCells[r].length);
    const next = rowsOfCells[nr]?.[nc];
    if (!next) return;
    event.preventDefault();
    here.tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
  });
}

function dimension(value, fallback) {
  return DIMENSIONS.some(([key]) => key === value) ? value : fallback;
}

function label(dim) {
  return DIMENSIONS.find(([key]) => key === dim)[1];
}

/** What a chosen cell holds: for an approach, its card in the cell and its case studies; else
 * the case studies of the cell from /evidence. */
async function cellContents(cell, rows, cols, filter, title) {
  const heading = h('h2', { id: 'cell-heading', tabindex: -1 }, `${plural(cell.case_studies, 'case study', 'case studies')}: ${title}`);
  const gap = cell.case_studies === 0 ? h('p', { class: 'gap-note' }, 'No case studies yet: a gap in the evidence.') : null;
  // Planned and ongoing evaluations are not evidence: said apart from the counts, never added to them.
  const filling = cell.being_filled ? h('p', { class: 'filling-note' }, `${cell.being_filled[0].toUpperCase()}${cell.being_filled.slice(1)} (not counted as evidence).`) : null;
  if (rows === 'intervention' || cols === 'intervention') {
    const [approach, other, value] = rows === 'intervention' ? [cell.row, cols, cell.col] : [cell.col, rows, cell.row];
    if (cell.case_studies === 0) return [heading, gap, filling];
    const detail = await api.intervention(approach, { ...filter, [other]: value });
    return [heading, filling, evidenceCard(detail.card, { id: approach, title: `The evidence: ${title}` }),
      h('h3', {}, 'The case studies'), h('ul', { class: 'entries' }, detail.case_studies.map(studyEntry))];
  }
  const where = { ...filter, [rows]: cell.row, [cols]: cell.col };
  const result = await api.evidence(where, LISTED, 0);
  return [heading, gap, filling, caseStudyList(result.items),
    result.total > LISTED ? h('p', {}, h('a', { href: `?${new URLSearchParams({ view: 'works', ...where })}` }, 'See them all in What works')) : null];
}

/** Colour is strength, number is count, hatching is nothing: said once, beside the map. */
function legend(levels) {
  return h('div', { class: 'map-legend' },
    h('p', {}, h('strong', {}, 'Colour'), ' = the strongest evidence in the cell; ',
      h('strong', {}, 'number'), ' = how many case studies. Many weak studies stay pale. ',
      h('strong', {}, '"n against"'), ' = studies that found no effect, a negative or a mixed result. ',
      h('strong', {}, '"n planned"'), ' = planned or ongoing evaluations: the cell is being filled; they are not evidence yet and are not in the count.'),
    h('ul', { class: 'legend', 'aria-label': 'Colours of the gap map' },
      levels.map((l) => h('li', {}, h('span', { class: `key strength-${l.notation}`, 'aria-hidden': 'true' }),
        `${l.notation} – ${l.name} (${strengthWords(Number(l.notation))})`)),
      h('li', {}, h('span', { class: 'key gap', 'aria-hidden': 'true' }), 'No case studies (a gap)')));
}

function cellOf(cell, rowName, colName, onChoose) {
  const key = `${cell.row}|${cell.col}`;
  const best = bestOf(cell);
  const shade = cell.case_studies === 0 ? 'gap' : `strength-${best} ${strengthWords(best)}`;
  const strongest = best ? `, strongest evidence ${best} of 5 (${strengthWords(best)})` : '';
  // Colour is strength, not success: a cell whose studies found no effect, a negative or a mixed
  // result says so in the cell too, so strong evidence against is never read as "it works".
  const against = againstOf(cell);
  const againstWords = against ? `, ${against} found it did not work or mixed` : '';
  const planned = cell.planned_evaluations ?? 0;
  const fillingWords = planned ? `; ${cell.being_filled}` : '';
  return h('td', { class: shade, 'data-best-strength': best, 'data-count': cell.case_studies, 'data-against': against, 'data-planned': planned },
    h('button', { type: 'button', 'data-cell': key, onclick: () => onChoose(key) },
      h('span', { class: 'count' }, String(cell.case_studies)),
      h('span', { class: 'visually-hidden' },
        ` ${cell.case_studies === 1 ? 'case study' : 'case studies'}: ${rowName.get(cell.row)}, ${colName.get(cell.col)}${strongest}${againstWords}${fillingWords}`),
      best ? h('span', { class: 'best', 'aria-hidden': 'true' }, `best ${best}/5`) : null,
      against ? h('span', { class: 'against', 'aria-hidden': 'true' }, `${against} against`) : null,
      planned ? h('span', { class: 'filling', 'aria-hidden': 'true' }, `${planned} planned`) : null));
}

function gapList(empty, rowName, colName) {
  if (!empty.length) return null;
  return h('details', { class: 'gaps' }, h('summary', {}, `List the ${plural(empty.length, 'empty cell')}`),
    h('ul', {}, empty.map((c) => h('li', {}, `${rowName.get(c.row)} × ${colName.get(c.col)}`))));
}
