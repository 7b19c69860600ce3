// On a phone, every list table (.data-table) lays out as stacked cards (css/app.css, under 36rem):
// each cell then shows its column's name before its value, read from the cell's `data-label`.
// Rows come and go as lists load, and headers change with the language, so the labels follow.

import { onLangChange } from './i18n.js';

function labelTable(table) {
  const names = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
  for (const row of table.querySelectorAll('tbody tr')) {
    [...row.children].forEach((cell, index) => {
      // A row spanning the table (a row's details, a message) has no single column.
      if (cell.colSpan > 1 || !names[index]) cell.removeAttribute('data-label');
      else cell.setAttribute('data-label', names[index]);
    });
  }
}

function labelAll(root) {
  for (const table of root.querySelectorAll('table.data-table')) labelTable(table);
}

/** Keeps the column names on the cells of every list table under `root`. */
export function stackTables(root = document.body) {
  let pending = false;
  const relabel = () => {
    if (pending) return;
    pending = true;
    queueMicrotask(() => {
      pending = false;
      labelAll(root);
    });
  };
  new MutationObserver(relabel).observe(root, { childList: true, subtree: true });
  // After the page has translated its headers into the new language.
  onLangChange(() => setTimeout(relabel));
  relabel();
}
