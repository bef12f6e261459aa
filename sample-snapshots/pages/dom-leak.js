// dom-leak: a page that shows and closes a toast per action, but keeps every closed toast's
// element in a script-level array: one detached <div class="toast"> (with its <p> and text)
// leaks per action, which the three-snapshot method should name as detached DOM.
class ToastText {
  constructor(id) {
    this.id = id;
    this.message = 'saved item ' + id;
  }
}
const closedToasts = []; // the leak: closed toasts stay referenced
let shown = 0;

function showAndCloseToast() {
  const id = ++shown;
  const el = document.createElement('div');
  el.className = 'toast';
  const p = document.createElement('p');
  p.textContent = new ToastText(id).message;
  el.appendChild(p);
  document.body.appendChild(el);
  el.remove();
  closedToasts.push(el);
  return closedToasts.length;
}
