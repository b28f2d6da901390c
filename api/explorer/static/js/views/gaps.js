// The evidence and gap map: rows x columns (outcomes x themes by default) as a heat map of case
// study counts. Empty cells are drawn as gaps, every cell opens its case studies, and the whole
// map downloads as CSV.

import * as api from '../api.js';
import { add, announce, fill, h, newest, plural, problemBox, select } from '../dom.js';
import { caseStudyList } from '../evidence.js';
import { byId, choices, filterFrom, otherFilters, strengthLevels } from './works.js';

const DIMENSIONS = [['outcome', 'Outcomes'], ['theme', 'Policy themes'], ['region', 'Regions'], ['evidence_type', 'Types of evidence']];
const LISTED = 50;
const STRONG = 3; // externally examined or better

export async function render(page, params, { navigate, record, remember, current }) {
  const rows = dimension(params.get('rows'), 'outcome');
  let cols = dimension(params.get('cols'), 'theme');
  if (cols === rows) cols = rows === 'theme' ? 'outcome' : 'theme';
  const [levels, outcomes] = await Promise.all([strengthLevels(), choices('Outcome', '')]);
  const filter = byId(filterFrom(params), { outcome: outcomes });
  const map = await api.gapMap(filter, rows, cols);
  const state = { view: 'gaps', rows, cols, ...filter };
  remember({ ...state, cell: params.get('cell') });

  const empty = map.cells.filter((c) => c.case_studies === 0);
  const strong = map.cells.filter((c) => (c.strongest?.strength ?? 0) >= STRONG);
  const max = Math.max(1, ...map.cells.map((c) => c.case_studies));
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
    const where = { ...filter, [rows]: cell.row, [cols]: cell.col };
    const title = `${rowName.get(cell.row)} × ${colName.get(cell.col)}`;
    try {
      const result = await api.whatWorks(where, LISTED, 0);
      if (!fresh() || !current()) return; // another cell, or another page, has been chosen since
      fill(chosenBox,
        h('h2', { id: 'cell-heading', tabindex: -1 }, `${plural(result.total, 'case study', 'case studies')}: ${title}`),
        result.total === 0 ? h('p', { class: 'gap-note' }, 'No case studies yet: a gap in the evidence.') : null,
        caseStudyList(result.items),
        result.total > LISTED ? h('p', {}, h('a', { href: `?${new URLSearchParams({ view: 'works', ...where })}` }, 'See them all in What works')) : null);
      announce(`${title}: ${plural(result.total, 'case study', 'case studies')}`);
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
      + 'Darker cells have more; hatched cells have none. Choose a cell to list its case studies; '
      + 'arrow keys move between cells.'),
    h('thead', {}, h('tr', {}, h('td'), map.col_values.map((v) => h('th', { scope: 'col' }, v.name)))),
    h('tbody', {}, map.row_values.map((r) => h('tr', {}, h('th', { scope: 'row' }, r.name),
      map.col_values.map((c) => cellOf(cells.get(`${r.key}|${c.key}`), max, rowName, colName, choose))))));

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

function cellOf(cell, max, rowName, colName, onChoose) {
  const key = `${cell.row}|${cell.col}`;
  const shade = cell.case_studies === 0 ? 'gap' : `shade-${Math.ceil((cell.case_studies / max) * 5)}`;
  const strongest = cell.strongest ? `, strongest evidence ${cell.strongest.strength} of 5` : '';
  return h('td', { class: shade },
    h('button', { type: 'button', 'data-cell': key, onclick: () => onChoose(key) },
      h('span', { class: 'count' }, String(cell.case_studies)),
      h('span', { class: 'visually-hidden' },
        ` ${cell.case_studies === 1 ? 'case study' : 'case studies'}: ${rowName.get(cell.row)}, ${colName.get(cell.col)}${strongest}`),
      cell.strongest ? h('span', { class: 'best', 'aria-hidden': 'true' }, `best ${cell.strongest.strength}/5`) : null));
}

function gapList(empty, rowName, colName) {
  if (!empty.length) return null;
  return h('details', { class: 'gaps' }, h('summary', {}, `List the ${plural(empty.length, 'empty cell')}`),
    h('ul', {}, empty.map((c) => h('li', {}, `${rowName.get(c.row)} × ${colName.get(c.col)}`))));
}
