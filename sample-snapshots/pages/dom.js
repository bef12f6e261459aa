// dom: a page whose script has a URL (so locations read dom.js:line:column) and that leaves
// detached DOM behind: a table removed from the document but kept by a widget, with listeners.
class RowWidget {
  constructor(row, index) {
    this.row = row;
    this.index = index;
    this.onClick = () => { this.clicked = (this.clicked || 0) + 1; };
    row.addEventListener('click', this.onClick);
  }
}

const removedTables = [];

function buildTable(rows) {
  const table = document.createElement('table');
  const widgets = [];
  for (let i = 0; i < rows; i++) {
    const tr = document.createElement('tr');
    for (let c = 0; c < 3; c++) {
      const td = document.createElement('td');
      td.textContent = `cell ${i}.${c}`;
      tr.appendChild(td);
    }
    table.appendChild(tr);
    widgets.push(new RowWidget(tr, i));
  }
  document.body.appendChild(table);
  return { table, widgets };
}

function removeTable(t) {
  // The leak: the table leaves the document, but its widgets are kept.
  t.table.remove();
  removedTables.push(t.widgets);
}

function domStats() {
  return {
    tables_removed: removedTables.length,
    RowWidget: removedTables.reduce((a, w) => a + w.length, 0) + 1,
    attached_tables: document.querySelectorAll('table').length,
  };
}

for (let k = 0; k < 3; k++) removeTable(buildTable(20));
const keptTable = buildTable(1);
